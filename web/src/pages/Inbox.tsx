export function InboxPage({ workspace }: { workspace: string }) {
  return <div className="empty"><h2>Inbox of {workspace}</h2></div>;
}
