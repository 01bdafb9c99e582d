/**
 * One report on screen: its data, loading and error state. `load` runs the fetch the report was
 * made with; an answer that arrives after a newer request started is dropped.
 */
import { messageOf } from '#lib/api/request.ts';

export class Report<T> {
  data = $state<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  #generation = 0;

  constructor(private readonly fetcher: () => Promise<T>) {}

  async load(): Promise<void> {
    const mine = ++this.#generation;
    const answer = this.fetcher();
    this.loading = true;
    try {
      const data = await answer;
      if (mine !== this.#generation) return;
      this.data = data;
      this.error = null;
    } catch (error) {
      if (mine === this.#generation) this.error = messageOf(error);
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
