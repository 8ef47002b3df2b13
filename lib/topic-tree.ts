// The explorer's tree, built from the flat topic list: one node per topic level,
// like MQTT Explorer. Pure, so the browser and the tests share it.
import type { TopicStat } from "./topic-stats";
import { topicLevels } from "./topics";

export type TopicNode<S extends TopicStat = TopicStat> = {
  /** This level's name: "temperature" in home/attic/temperature. */
  name: string;
  /** The full topic up to this level. */
  path: string;
  /** Set when a message was published on exactly this topic. */
  stat: S | null;
  children: TopicNode<S>[];
  /** Topics at or below this node that carried messages. */
  topicCount: number;
};

export function buildTopicTree<S extends TopicStat>(stats: readonly S[]): TopicNode<S>[] {
  const root: TopicNode<S> = { name: "", path: "", stat: null, children: [], topicCount: 0 };
  const byPath = new Map<string, TopicNode<S>>();
  for (const stat of stats) {
    let node = root;
    node.topicCount++;
    // An empty level ("a//b") is a level of its own.
    const levels = topicLevels(stat.topic);
    levels.forEach((name, i) => {
      const path = levels.slice(0, i + 1).join("/");
      let child = byPath.get(path);
      if (child === undefined) {
        child = { name, path, stat: null, children: [], topicCount: 0 };
        byPath.set(path, child);
        node.children.push(child);
      }
      child.topicCount++;
      node = child;
    });
    node.stat = stat;
  }
  sortTree(root);
  return root.children;
}

function sortTree<S extends TopicStat>(node: TopicNode<S>): void {
  node.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of node.children) sortTree(child);
}
