export function BoardPage({ workspace }: { workspace: string }) {
  return <div className="empty"><h2>Board of {workspace}</h2></div>;
}
