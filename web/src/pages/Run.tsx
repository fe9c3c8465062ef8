export function RunPage({ workspace, id }: { workspace: string; id: number }) {
  return <div className="empty"><h2>Run of {workspace} {id}</h2></div>;
}
