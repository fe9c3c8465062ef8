// Small pieces every screen uses: status badges, empty states, a confirmation dialog, a clock.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Badge({ status, title }: { status: string; title?: string }) {
  return <span className={`badge ${status}`} title={title} data-status={status}>{status}</span>;
}

/** What a screen shows before it has anything, and what to do next. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorText({ error }: { error: string | null | undefined }) {
  return error ? <p className="error" role="alert">{error}</p> : null;
}

/** A modal dialog (the browser's own: focus is trapped, Escape closes it). */
export function Dialog({ open, onClose, title, children, label }: {
  open: boolean; onClose: () => void; title: string; children: ReactNode; label?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={label ?? title}>
      <h2>{title}</h2>
      {open && children}
    </dialog>
  );
}

/** Asks before something that cannot be undone; resolves to the answer. */
export function Confirm({ open, title, message, confirm, onAnswer }: {
  open: boolean; title: string; message: ReactNode; confirm: string; onAnswer: (yes: boolean) => void;
}) {
  return (
    <Dialog open={open} onClose={() => onAnswer(false)} title={title}>
      <div>{message}</div>
      <div className="row" style={{ justifyContent: 'flex-end', marginTop: 12 }}>
        <button onClick={() => onAnswer(false)} autoFocus>Keep it</button>
        <button className="danger" onClick={() => onAnswer(true)}>{confirm}</button>
      </div>
    </Dialog>
  );
}

/** The current time, ticking every `ms`: for durations of what is still running. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
