// A refused topic or filter (lib/topics.ts) as words in the interface language.
// The English in en.ts matches the checks' own `reason` word for word.
import type { Translate } from "./i18n/translate";
import type { TopicProblem } from "./topics";

export function topicProblemText(t: Translate, problem: TopicProblem): string {
  return "limit" in problem ? t(`topicProblem.${problem.code}`, { limit: problem.limit }) : t(`topicProblem.${problem.code}`);
}
