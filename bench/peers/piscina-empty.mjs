// piscina's side of thread-spawn: the same empty task.
export default function empty() {
  return null;
}
