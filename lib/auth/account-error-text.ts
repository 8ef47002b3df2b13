// An AccountError as a sentence in the interface language. The store writes its
// messages in English for logs and the CLI; the forms show these instead. The
// English strings in en.ts match the store's messages word for word.
import type { AccountError, TopicsProblem } from "./account-store";
import type { Translate } from "../i18n/translate";
import { topicProblemText } from "../topic-problem-text";

/** The store's own message, capitalized and ended with a full stop, as the forms showed it before. */
export function storeSentence(error: AccountError): string {
  return `${error.message[0].toUpperCase()}${error.message.slice(1)}.`;
}

/** `subject` is what the form tried to create: a user (`name` = its username) or a device. */
export function accountErrorText(
  t: Translate,
  error: AccountError,
  subject: { kind: "user" | "device"; name: string; role?: string; minPasswordLength: number },
): string {
  const quoted = JSON.stringify(subject.name);
  switch (error.code) {
    case "name-invalid":
      return t(subject.kind === "user" ? "account.error.usernameInvalid" : "account.error.deviceNameInvalid", { name: quoted });
    case "name-taken":
      return t(subject.kind === "user" ? "account.error.usernameTaken" : "account.error.deviceTaken", { name: quoted });
    case "password-too-short":
      return t("account.error.passwordTooShort", { n: subject.minPasswordLength });
    case "role-invalid":
      return t("account.error.roleInvalid", { role: JSON.stringify(subject.role ?? "") });
    case "last-admin":
      return t("account.error.lastAdmin");
    case "already-set-up":
      return t("account.error.alreadySetUp");
    case "topic-invalid":
      return error.topics ? topicsText(t, error.topics) : storeSentence(error);
    case "not-found":
      return t(subject.kind === "user" ? "account.error.userNotFound" : "account.error.deviceNotFound", { name: quoted });
    default:
      return storeSentence(error);
  }
}

function topicsText(t: Translate, topics: TopicsProblem): string {
  switch (topics.problem) {
    case "none":
      return t("account.error.noTopics");
    case "invalid":
      return t("account.error.topicInvalid", { topic: JSON.stringify(topics.topic), problem: topicProblemText(t, topics.check) });
    case "too-broad":
      return t("account.error.topicTooBroad", { topic: JSON.stringify(topics.topic) });
  }
}
