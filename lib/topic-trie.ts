// Topic tries for the broker (issue 12): subscriptions (plain and `$share/<group>/…`)
// matched against a topic once per message, and retained messages looked up by a
// filter. The rules are lib/topics.ts's (§4.7): `+` is one level, `#` the parent level
// and everything below, and a filter starting with a wildcard never matches a topic
// starting with `$` (§4.7.2). Filters are assumed valid (checkTopicFilter first).
// Modelled on mochi-mqtt's topics.go.

import { topicLevels } from "./topics";

type Node<T> = { children: Map<string, Node<T>>; data: T | undefined };

const newNode = <T>(): Node<T> => ({ children: new Map(), data: undefined });

/** `$share/<group>/<filter>` split [MQTT-4.8.2-1]; `group: null` for a plain filter; null if malformed. */
export function splitSharedFilter(filter: string): { group: string | null; filter: string } | null {
  if (!filter.startsWith("$share/")) return { group: null, filter };
  const slash = filter.indexOf("/", 7);
  if (slash < 0) return null;
  const group = filter.slice(7, slash);
  // [MQTT-4.8.2-2] the ShareName has no "/", "+" or "#" and at least one character.
  if (group.length === 0 || group.includes("+") || group.includes("#")) return null;
  const rest = filter.slice(slash + 1);
  return rest.length === 0 ? null : { group, filter: rest };
}

/** One `$share` group on one filter: its members and whose turn it is. */
export type SharedGroup<K, V> = { readonly name: string; readonly filter: string; readonly members: Map<K, V>; turn: number };

type SubscriptionData<K, V> = { subs: Map<K, V>; groups: Map<string, SharedGroup<K, V>> };

export type SubscriptionVisitor<K, V> = {
  subscriber(key: K, value: V): void;
  group(group: SharedGroup<K, V>): void;
};

/** Subscriptions by filter: one value per (subscriber key, filter). */
export class SubscriptionTrie<K, V> {
  private readonly root = newNode<SubscriptionData<K, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds or replaces; true when it was new. `filter` may be a `$share/…` filter. */
  set(filter: string, key: K, value: V): boolean {
    const shared = splitSharedFilter(filter);
    if (!shared) throw new Error(`malformed shared subscription ${filter}`);
    let node = this.root;
    for (const level of shared.filter.split("/")) {
      let child = node.children.get(level);
      if (!child) node.children.set(level, (child = newNode()));
      node = child;
    }
    const data = (node.data ??= { subs: new Map(), groups: new Map() });
    let members = data.subs;
    if (shared.group !== null) {
      let group = data.groups.get(shared.group);
      if (!group) data.groups.set(shared.group, (group = { name: shared.group, filter: shared.filter, members: new Map(), turn: 0 }));
      members = group.members;
    }
    const isNew = !members.has(key);
    members.set(key, value);
    if (isNew) this.count++;
    return isNew;
  }

  /** Removes (key, filter); true if it was there. Empty branches are pruned. */
  delete(filter: string, key: K): boolean {
    const shared = splitSharedFilter(filter);
    if (!shared) return false;
    const path: Node<SubscriptionData<K, V>>[] = [this.root];
    const levels = shared.filter.split("/");
    for (const level of levels) {
      const child = path[path.length - 1].children.get(level);
      if (!child) return false;
      path.push(child);
    }
    const node = path[path.length - 1];
    const data = node.data;
    if (!data) return false;
    let removed: boolean;
    if (shared.group === null) removed = data.subs.delete(key);
    else {
      const group = data.groups.get(shared.group);
      removed = group?.members.delete(key) ?? false;
      if (group && group.members.size === 0) data.groups.delete(shared.group);
    }
    if (!removed) return false;
    this.count--;
    if (data.subs.size === 0 && data.groups.size === 0) node.data = undefined;
    for (let i = levels.length; i > 0; i--) {
      const n = path[i];
      if (n.data || n.children.size > 0) break;
      path[i - 1].children.delete(levels[i - 1]);
    }
    return true;
  }

  /** Visits every subscription whose filter matches `topic` (a topic name), and every matching group once. */
  match(topic: string, visit: SubscriptionVisitor<K, V>): void {
    const levels = topicLevels(topic);
    this.walk(this.root, levels, 0, topic.charCodeAt(0) === 36 /* $ */, visit);
  }

  private walk(node: Node<SubscriptionData<K, V>>, levels: readonly string[], depth: number, dollar: boolean, visit: SubscriptionVisitor<K, V>) {
    const wildOk = !(dollar && depth === 0); // §4.7.2
    if (wildOk) {
      const hash = node.children.get("#");
      if (hash?.data) visitData(hash.data, visit);
    }
    if (depth === levels.length) {
      if (node.data) visitData(node.data, visit);
      return;
    }
    const exact = node.children.get(levels[depth]);
    if (exact) this.walk(exact, levels, depth + 1, dollar, visit);
    if (wildOk) {
      const plus = node.children.get("+");
      if (plus) this.walk(plus, levels, depth + 1, dollar, visit);
    }
  }
}

function visitData<K, V>(data: SubscriptionData<K, V>, visit: SubscriptionVisitor<K, V>) {
  for (const [key, value] of data.subs) visit.subscriber(key, value);
  for (const group of data.groups.values()) visit.group(group);
}

/** Retained messages by topic name, looked up by filter (a new subscription's retained messages). */
export class RetainedTrie<V> {
  private readonly root = newNode<V>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(topic: string, value: V): void {
    let node = this.root;
    for (const level of topic.split("/")) {
      let child = node.children.get(level);
      if (!child) node.children.set(level, (child = newNode()));
      node = child;
    }
    if (node.data === undefined) this.count++;
    node.data = value;
  }

  get(topic: string): V | undefined {
    let node: Node<V> | undefined = this.root;
    for (const level of topic.split("/")) {
      node = node.children.get(level);
      if (!node) return undefined;
    }
    return node.data;
  }

  delete(topic: string): boolean {
    const levels = topic.split("/");
    const path: Node<V>[] = [this.root];
    for (const level of levels) {
      const child = path[path.length - 1].children.get(level);
      if (!child) return false;
      path.push(child);
    }
    if (path[levels.length].data === undefined) return false;
    path[levels.length].data = undefined;
    this.count--;
    for (let i = levels.length; i > 0; i--) {
      const n = path[i];
      if (n.data !== undefined || n.children.size > 0) break;
      path[i - 1].children.delete(levels[i - 1]);
    }
    return true;
  }

  /** Every retained value whose topic `filter` matches (a plain filter, without `$share/`). */
  match(filter: string, visit: (value: V) => void): void {
    this.walkFilter(this.root, filter.split("/"), 0, visit);
  }

  *values(): IterableIterator<V> {
    const stack: Node<V>[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.data !== undefined) yield node.data;
      for (const child of node.children.values()) stack.push(child);
    }
  }

  private walkFilter(node: Node<V>, f: string[], depth: number, visit: (value: V) => void) {
    if (depth === f.length) {
      if (node.data !== undefined) visit(node.data);
      return;
    }
    const level = f[depth];
    if (level === "#") {
      // `#` matches the parent level too (§4.7.1.2): "a/#" matches "a".
      if (node !== this.root && node.data !== undefined) visit(node.data);
      this.everything(node, depth === 0, visit);
      return;
    }
    if (level === "+") {
      for (const [name, child] of node.children) {
        if (depth === 0 && name.startsWith("$")) continue; // §4.7.2
        this.walkFilter(child, f, depth + 1, visit);
      }
      return;
    }
    const child = node.children.get(level);
    if (child) this.walkFilter(child, f, depth + 1, visit);
  }

  private everything(node: Node<V>, atRoot: boolean, visit: (value: V) => void) {
    for (const [name, child] of node.children) {
      if (atRoot && name.startsWith("$")) continue; // §4.7.2
      if (child.data !== undefined) visit(child.data);
      this.everything(child, false, visit);
    }
  }
}
