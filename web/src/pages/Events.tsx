export function EventsPage({ workspace }: { workspace: string }) {
  return <div className="empty"><h2>Events of {workspace}</h2></div>;
}
