/**
 * One Octokit per installation for evaluations, kept for reuse. It holds no token of its own: each
 * request takes the installation's token from Probot's shared token cache, which mints a new one
 * when it is about to expire. Bounded: the least recently used is dropped beyond `max` installations.
 *
 * Evaluations use these rather than the webhook's own Octokit so that a queued evaluation need not
 * keep its webhook's context (payload and Octokit) alive until it runs.
 */
export class InstallationClients<T> {
  private readonly clients = new Map<number, Promise<T>>();

  constructor(
    private readonly create: (installation: number) => Promise<T>,
    private readonly max = 1000,
  ) {}

  get(installation: number): Promise<T> {
    let client = this.clients.get(installation);
    if (client) {
      // Most recently used last.
      this.clients.delete(installation);
    } else {
      client = this.create(installation);
      // A failure is not kept: the next evaluation asks again.
      client.catch(() => {
        if (this.clients.get(installation) === client) this.clients.delete(installation);
      });
    }
    this.clients.set(installation, client);
    if (this.clients.size > this.max) this.clients.delete(this.clients.keys().next().value as number);
    return client;
  }

  get size(): number {
    return this.clients.size;
  }
}
