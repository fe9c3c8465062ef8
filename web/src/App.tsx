// The frame of every screen: sign-in, the top bar (workspace, navigation, live connection, spend gauge,
// theme) and the screen the URL names.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { api, saveToken, token } from './lib/api';
import { live, useLive } from './lib/live';
import { Link, match, navigate, useLocation } from './lib/router';
import { toggleTheme } from './lib/theme';
import { SpendGauge } from './components/SpendGauge';
import { Login } from './pages/Login';
import { BoardPage } from './pages/Board';
import { RunsPage } from './pages/Runs';
import { RunPage } from './pages/Run';
import { EventsPage } from './pages/Events';
import { InboxPage } from './pages/Inbox';
import { WavePage } from './pages/Wave';

type Me = { user: string; workspaces: { name: string; role: string }[] };

const tokenChanged = (l: () => void) => {
  window.addEventListener('agentry:token', l);
  window.addEventListener('storage', l);
  return () => {
    window.removeEventListener('agentry:token', l);
    window.removeEventListener('storage', l);
  };
};

export function App() {
  const signedIn = useSyncExternalStore(tokenChanged, () => token() !== null);
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => {
    if (!signedIn) {
      setMe(null);
      live.close();
      return;
    }
    api<Me>('/api/me').then(setMe, () => setMe(null));
  }, [signedIn]);

  if (!signedIn || path === '/login') return <Login />;
  if (!me) return <div className="empty">Loading…</div>;

  const workspaceOf = match('/w/:ws', path.split('/').slice(0, 3).join('/'));
  const workspace = workspaceOf?.ws;
  if (!workspace) {
    const first = me.workspaces[0]?.name;
    if (first) {
      queueMicrotask(() => navigate(`/w/${encodeURIComponent(first)}/board`, { replace: true }));
      return null;
    }
    return <div className="empty"><h2>You are not a member of any workspace yet.</h2>
      <p>Ask an administrator: <code>agentry members add {me.user} --role member</code></p></div>;
  }
  return <Shell workspace={workspace} me={me} path={path} />;
}

function Shell({ workspace, me, path }: { workspace: string; me: Me; path: string }) {
  useEffect(() => live.connect(workspace), [workspace]);
  const state = useLive();
  const base = `/w/${encodeURIComponent(workspace)}`;
  const rest = path.slice(base.length) || '/';
  const section = rest.split('/')[1] ?? '';
  const current = section === 'waves' || section === '' ? 'board' : section; // a wave belongs to the board
  const waiting = state.decisions.size + state.attention.size;
  const nav = (to: string, label: string, name: string, extra?: number) => (
    <Link to={`${base}/${to}`} aria-current={current === name ? 'page' : undefined}>
      {label}{extra ? <span className="count" aria-label={`${extra} waiting`}>{extra}</span> : null}
    </Link>
  );

  let screen;
  let full = false;
  let m;
  if ((m = match('/runs/:id', rest))) {
    screen = <RunPage workspace={workspace} id={Number(m.id)} />;
    full = true;
  } else if ((m = match('/waves/:id', rest))) {
    screen = <WavePage workspace={workspace} id={Number(m.id)} />;
  } else if (rest === '/runs') {
    screen = <RunsPage workspace={workspace} />;
  } else if (rest === '/events') {
    screen = <EventsPage workspace={workspace} />;
  } else if (rest === '/inbox') {
    screen = <InboxPage workspace={workspace} />;
  } else if (rest === '/board' || rest === '/') {
    screen = <BoardPage workspace={workspace} />;
    full = true;
  } else {
    screen = <div className="empty"><h2>There is no page at {path}.</h2><Link to={`${base}/board`}>Go to the board</Link></div>;
  }

  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Agentry</span>
        <select aria-label="Workspace" value={workspace} onChange={(e) => navigate(`/w/${encodeURIComponent(e.target.value)}/${section || 'board'}`)}>
          {me.workspaces.map((w) => <option key={w.name} value={w.name}>{w.name}</option>)}
        </select>
        <nav className="nav" aria-label="Screens">
          {nav('board', 'Board', 'board')}
          {nav('runs', 'Runs', 'runs')}
          {nav('events', 'Events', 'events')}
          {nav('inbox', 'Inbox', 'inbox', waiting)}
        </nav>
        <span className="grow" />
        <span className="conn" title={`event log position ${state.position}; reconnected ${state.reconnects} times`} data-connection={state.connection}>
          <span className={`dot ${state.connection}`} /> {state.connection}
        </span>
        <SpendGauge workspace={workspace} />
        <button onClick={() => toggleTheme()} aria-label="Switch between light and dark">◐</button>
        <span className="muted" title="Signed in">{me.user}</span>
        <button onClick={() => { saveToken(null); navigate('/login'); }}>Sign out</button>
      </header>
      <main id="main" className={`screen${full ? ' full' : ''}`}>{screen}</main>
    </div>
  );
}
