// The workspace's spend this month against its budget (or the account's, whichever is tighter), kept
// current by the spend.recorded events of the live stream.
import { useEffect, useState } from 'react';
import { api, wsPath } from '../lib/api';
import { usd } from '../lib/format';
import { live } from '../lib/live';

type Standing = { spentUsd: number; limitUsd?: number | null };
type Spend = { month: string; workspace: Standing; account: Standing & { name: string } };

export function SpendGauge({ workspace }: { workspace: string }) {
  const [spend, setSpend] = useState<Spend | null>(null);
  useEffect(() => {
    let stale = false;
    let timer = 0;
    const load = () => {
      api<Spend>(wsPath(workspace, '/spend')).then((s) => !stale && setSpend(s), () => {});
    };
    load();
    const off = live.onEvent((e) => {
      if (e.type === 'spend.recorded' || e.type.startsWith('budget.')) {
        clearTimeout(timer);
        timer = window.setTimeout(load, 500);
      }
    });
    return () => {
      stale = true;
      off();
      clearTimeout(timer);
    };
  }, [workspace]);
  if (!spend) return null;
  // The tighter of the two caps is the one that will pause runs first.
  const ws = spend.workspace;
  const acct = spend.account;
  const byAccount = acct.limitUsd != null && (ws.limitUsd == null || acct.limitUsd - acct.spentUsd < ws.limitUsd - ws.spentUsd);
  const spent = byAccount ? acct.spentUsd : ws.spentUsd;
  const cap = (byAccount ? acct.limitUsd : ws.limitUsd) ?? undefined;
  const share = cap ? Math.min(1, spent / cap) : 0;
  const label = cap ? `${usd(spent)} of ${usd(cap)}${byAccount ? ' (account)' : ''} this month` : `${usd(spent)} this month, no budget`;
  return (
    <span className="gauge" title={`Workspace spend ${spend.month}; account ${spend.account.name}: ${usd(spend.account.spentUsd)}`}>
      <span className="bar" role="meter" aria-label="Spend this month" aria-valuemin={0} aria-valuemax={cap ?? 0} aria-valuenow={spent}>
        <span className={share >= 1 ? 'over' : share >= 0.8 ? 'warn' : ''} style={{ width: `${share * 100}%` }} />
      </span>
      {label}
    </span>
  );
}
