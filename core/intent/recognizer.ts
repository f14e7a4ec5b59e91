import { charNgrams, editDistance, latinWords, normalizeForMatching } from './normalize';

export const INTENTS = ['signin', 'activation', 'account', 'human', 'menu'] as const;
export type Intent = (typeof INTENTS)[number];

export interface LabelledUtterance {
  text: string;
  intent: Intent;
}

/** Words that point at an intent, with a weight; Latin words of 5+ letters also match with one typo. */
export type Lexicon = Record<Intent, { term: string; weight: number }[]>;

export type Decision =
  | { kind: 'route'; intent: Intent }
  /** Two intents are close: ask which one, with buttons. */
  | { kind: 'clarify'; intents: [Intent, Intent] }
  /** Nothing to go on: show the menu. */
  | { kind: 'menu' };

export interface Recognition {
  decision: Decision;
  /** Posterior-like scores, best first. */
  ranked: { intent: Intent; score: number }[];
}

export interface RecognizerThresholds {
  /** Route when the best score is at least this… */
  route: number;
  /** …and this far ahead of the second. */
  margin: number;
  /** Ask between the top two when together they reach this; otherwise show the menu. */
  clarify: number;
}

/** How the two readings are weighed; chosen by cross-validation on the training split. */
export interface RecognizerSettings {
  /** Weight of the (length-normalised) n-gram model. */
  modelScale: number;
  /** Laplace smoothing. */
  alpha: number;
  lexiconWeight: number;
  /** Votes per recognised error code. */
  hintWeight: number;
  ngrams: number[];
}

export const DEFAULT_SETTINGS: RecognizerSettings = {
  modelScale: 4,
  alpha: 0.5,
  lexiconWeight: 0.5,
  hintWeight: 2,
  ngrams: [2, 3, 4],
};

/**
 * Chosen with `npm run tune:intents` (5-fold cross-validation on the training lines): the most messages routed
 * straight on while at most about 1% go to a wrong flow. A wrong flow costs more than a question.
 */
/** Below this many characters, a message with no lexicon word and no error code is not routed. */
const MIN_UNKNOWN_LENGTH = 6;

export const DEFAULT_THRESHOLDS: RecognizerThresholds = { route: 0.5, margin: 0.4, clarify: 0.6 };

/**
 * A small local intent recogniser: multinomial naive Bayes over character 2- to 4-grams and Latin words, plus a
 * weighted lexicon (with typo tolerance) and hints from error codes. No cloud service, deterministic.
 */
export class IntentRecognizer {
  private constructor(
    private readonly logPrior: Map<Intent, number>,
    private readonly logLikelihood: Map<Intent, Map<string, number>>,
    private readonly unseen: Map<Intent, number>,
    private readonly lexicon: Lexicon,
    private readonly thresholds: RecognizerThresholds,
    private readonly settings: RecognizerSettings,
  ) {}

  static train(
    examples: LabelledUtterance[],
    lexicon: Lexicon,
    thresholds = DEFAULT_THRESHOLDS,
    settings = DEFAULT_SETTINGS,
  ): IntentRecognizer {
    const counts = new Map<Intent, Map<string, number>>();
    const totals = new Map<Intent, number>();
    const vocabulary = new Set<string>();
    for (const intent of INTENTS) {
      counts.set(intent, new Map());
      totals.set(intent, 0);
    }
    // The lexicon doubles as training text, so an intent with few examples still has its words.
    const all = [
      ...examples,
      ...INTENTS.flatMap((intent) => lexicon[intent].map((l) => ({ text: l.term, intent }))),
    ];
    for (const example of all) {
      for (const feature of features(example.text, settings.ngrams)) {
        vocabulary.add(feature);
        const map = counts.get(example.intent)!;
        map.set(feature, (map.get(feature) ?? 0) + 1);
        totals.set(example.intent, totals.get(example.intent)! + 1);
      }
    }
    const logPrior = new Map<Intent, number>();
    const logLikelihood = new Map<Intent, Map<string, number>>();
    const unseen = new Map<Intent, number>();
    const alpha = settings.alpha;
    for (const intent of INTENTS) {
      // A flat prior: the training set's class balance says nothing about what the next user will ask.
      logPrior.set(intent, Math.log(1 / INTENTS.length));
      const denominator = totals.get(intent)! + alpha * vocabulary.size;
      const map = new Map<string, number>();
      for (const [feature, count] of counts.get(intent)!)
        map.set(feature, Math.log((count + alpha) / denominator));
      logLikelihood.set(intent, map);
      unseen.set(intent, Math.log(alpha / denominator));
    }
    return new IntentRecognizer(logPrior, logLikelihood, unseen, lexicon, thresholds, settings);
  }

  /** `hints` are intents suggested by recognised error codes (each one a strong vote). */
  recognize(text: string, hints: Intent[] = []): Recognition {
    const normalized = normalizeForMatching(text);
    if (!normalized) return { decision: { kind: 'menu' }, ranked: [] };
    const feats = features(text, this.settings.ngrams);
    const words = latinWords(normalized);
    const raw = new Map<Intent, number>();
    let evidence = hints.length;
    for (const intent of INTENTS) {
      const likelihood = this.logLikelihood.get(intent)!;
      const fallback = this.unseen.get(intent)!;
      // Length-normalised, so long messages do not get overconfident.
      let score = 0;
      for (const feature of feats) score += likelihood.get(feature) ?? fallback;
      score =
        this.logPrior.get(intent)! + (feats.length ? (score / feats.length) * this.settings.modelScale : 0);
      const keywords = this.lexiconScore(intent, normalized, words);
      evidence += keywords;
      const lexicon =
        this.settings.lexiconWeight * keywords +
        hints.filter((h) => h === intent).length * this.settings.hintWeight;
      raw.set(intent, score + lexicon);
    }
    const ranked = softmax(raw);
    // A few characters with no known word ("lol", 「りょ」) are too little to send anyone down a flow.
    const tooLittle = evidence === 0 && normalized.replace(/\s+/g, '').length < MIN_UNKNOWN_LENGTH;
    return { decision: tooLittle ? { kind: 'menu' } : this.decide(ranked), ranked };
  }

  private lexiconScore(intent: Intent, normalized: string, words: string[]): number {
    let score = 0;
    for (const { term, weight } of this.lexicon[intent]) {
      const t = normalizeForMatching(term);
      if (!t) continue;
      if (/^[a-z0-9' .-]+$/.test(t)) {
        if (/[ .-]/.test(t)) {
          if (normalized.includes(t)) score += weight;
        } else if (
          words.includes(t) ||
          (t.length >= 5 && words.some((w) => w.length >= 4 && editDistance(w, t, 1) <= 1))
        ) {
          score += weight;
        }
      } else if (normalized.replace(/\s+/g, '').includes(t.replace(/\s+/g, ''))) {
        score += weight;
      }
    }
    return score;
  }

  private decide(ranked: { intent: Intent; score: number }[]): Decision {
    const [first, second] = ranked;
    const { route, margin, clarify } = this.thresholds;
    if (first.score >= route && first.score - second.score >= margin)
      return { kind: 'route', intent: first.intent };
    if (first.score + second.score >= clarify)
      return { kind: 'clarify', intents: [first.intent, second.intent] };
    return { kind: 'menu' };
  }
}

function softmax(scores: Map<Intent, number>): { intent: Intent; score: number }[] {
  const max = Math.max(...scores.values());
  const exp = INTENTS.map((intent) => ({ intent, value: Math.exp(scores.get(intent)! - max) }));
  const sum = exp.reduce((a, b) => a + b.value, 0);
  return exp.map((e) => ({ intent: e.intent, score: e.value / sum })).sort((a, b) => b.score - a.score);
}

function features(text: string, ngrams: readonly number[]): string[] {
  const normalized = normalizeForMatching(text);
  return [...charNgrams(normalized, ngrams), ...latinWords(normalized).map((w) => `w:${w}`)];
}
