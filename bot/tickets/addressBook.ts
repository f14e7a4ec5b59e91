import type { ConversationReference, Storage } from 'botbuilder';
import type { Person } from '../../core/tickets/ticket';

const keyOf = (person: Pick<Person, 'id' | 'aadObjectId'>) => `addresses/${person.aadObjectId ?? person.id}`;

/**
 * The personal chat of every user the bot has talked to there: proactive messages (an agent's reply, a status
 * change) go through these references. A user who only ever wrote in a group chat has none, and the agent is
 * told so instead of the message vanishing.
 */
export class AddressBook {
  /**
   * What was last saved per user in this process, so an unchanged reference costs no write. Bounded: a tenant's
   * every user would otherwise stay in memory; a forgotten one costs one write on their next turn.
   */
  private readonly saved = new Map<string, string>();
  private static readonly REMEMBERED = 5000;

  constructor(private readonly storage: Storage) {}

  async remember(
    person: Pick<Person, 'id' | 'aadObjectId'>,
    reference: Partial<ConversationReference>,
  ): Promise<void> {
    const key = keyOf(person);
    const value = JSON.stringify(reference);
    if (this.saved.get(key) === value) return;
    await this.storage.write({ [key]: { reference, eTag: '*' } });
    this.saved.delete(key);
    this.saved.set(key, value);
    // Maps keep insertion order: the first key is the one written longest ago.
    if (this.saved.size > AddressBook.REMEMBERED) this.saved.delete(this.saved.keys().next().value!);
  }

  async lookup(
    person: Pick<Person, 'id' | 'aadObjectId'>,
  ): Promise<Partial<ConversationReference> | undefined> {
    const key = keyOf(person);
    const item = (await this.storage.read([key]))[key] as
      { reference?: Partial<ConversationReference> } | undefined;
    return item?.reference;
  }
}
