export function WavePage({ workspace, id }: { workspace: string; id: number }) {
  return <div className="empty"><h2>Wave of {workspace} {id}</h2></div>;
}
