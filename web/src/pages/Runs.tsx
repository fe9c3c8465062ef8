export function RunsPage({ workspace }: { workspace: string }) {
  return <div className="empty"><h2>Runs of {workspace}</h2></div>;
}
