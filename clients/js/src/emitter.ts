/** A small typed event emitter: `on` returns the function that unsubscribes. */
export class Emitter<M> {
  private readonly handlers = new Map<keyof M, Set<(e: any) => void>>();

  on<K extends keyof M>(type: K, handler: (event: M[K]) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => { set!.delete(handler); };
  }

  /** Calls every handler of `type`; one that throws does not stop the others, nor the client. */
  emit<K extends keyof M>(type: K, event: M[K]): void {
    const set = this.handlers.get(type);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(event);
      } catch (err) {
        setTimeout(() => { throw err; }, 0);
      }
    }
  }
}
