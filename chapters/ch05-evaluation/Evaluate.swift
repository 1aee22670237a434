// One model through both tests: summarize every article, classify every scored NSMC review.
import Foundation
import Repro
import Tensor
import Plumbing
import Book

/// A model to evaluate: one of chapter 04's cells, or a directory given with --checkpoint.
struct ModelUnderTest {
    var id: String                 // "small-high", …, "small-base" (a cell's base before tuning), or "checkpoint"
    var directory: String          // Hugging Face layout: config.json, model.safetensors, tokenizer.json
    var modelName: String          // config.json's _name_or_path
    var learningRate: Double?
    /// The untuned base a cell was fine-tuned from (its id among the models evaluated), or nil.
    var base: String? = nil
    /// Whether this is a base before tuning (chapter 00's), evaluated beside the cells.
    var isBase = false
    var label: String {
        isBase ? "\(modelName), before tuning" : learningRate.map { "\(modelName), lr \(Format.scientific($0, 2))" } ?? modelName
    }
}

/// How both tests are run; every field is visible in the notebook.
struct EvaluationSettings {
    var summaryPrompt: SummaryPrompt
    var nsmcPrompt: NSMCPrompt
    var maxNewTokens: Int
    /// Tokens generated for an NSMC answer: enough for a label word and a little more to show what the model says.
    var nsmcAnswerTokens = 8
    /// One demonstration per run (the slice's first), or a seeded choice from the slice for each example.
    var demonstrationPerExample = false
    var temperature: Float = 0
    var topK: Int?
    var topP: Float?
    var seed: UInt64
}

struct SummaryOutcome {
    var example: SummaryExample
    var promptTokens: Int
    var keptCharacters: Int
    var truncated: Bool { keptCharacters < example.document.count }
    var output: String
    var newTokens: Int
    var stop: Generated.Stop
    var scores: [RougeLevel: RougePair]
}

struct NSMCOutcome {
    var row: NSMCRow
    var demonstration: NSMCRow
    var promptTokens: Int
    var reviewCut: Bool
    /// (a) the generated answer and the label parsed from it (nil: unparseable, counted wrong).
    var answer: String
    var parsed: SentimentLabel?
    /// (b) log p(" 긍정" | prompt) and log p(" 부정" | prompt).
    var logLikelihood: [SentimentLabel: Double]
    var likelihoodChoice: SentimentLabel {
        (logLikelihood[.positive] ?? -.infinity) >= (logLikelihood[.negative] ?? -.infinity) ? .positive : .negative
    }
}

struct ModelEvaluation {
    var model: ModelUnderTest
    var parameters: Int
    var summaries: [SummaryOutcome]
    var nsmc: [NSMCOutcome]
    var answers: [AnswerOutcome]
    var summarySeconds: Double
    var nsmcSeconds: Double
    var generatedTokens: Int

    /// Mean F1 with a bootstrap interval, ROUGE-1 or ROUGE-L, at one level.
    func rouge(_ level: RougeLevel, longest: Bool, seed: UInt64) -> (mean: Double, low: Double, high: Double) {
        Rouge.bootstrapMean(summaries.map { longest ? $0.scores[level]!.rougeL.f1 : $0.scores[level]!.rouge1.f1 }, seed: seed)
    }

    func meanScore(_ level: RougeLevel, _ part: (RougePair) -> RougeScore) -> (p: Double, r: Double, f: Double) {
        let n = Double(max(summaries.count, 1))
        let scores = summaries.map { part($0.scores[level]!) }
        return (scores.reduce(0) { $0 + $1.precision } / n, scores.reduce(0) { $0 + $1.recall } / n,
                scores.reduce(0) { $0 + $1.f1 } / n)
    }

    var generatedCorrect: Int { nsmc.filter { $0.parsed == $0.row.label }.count }
    var unparseable: Int { nsmc.filter { $0.parsed == nil }.count }
    var likelihoodCorrect: Int { nsmc.filter { $0.likelihoodChoice == $0.row.label }.count }
    /// How often each reading answers 긍정 (a model that always says one label shows it here).
    var generatedPositive: Int { nsmc.filter { $0.parsed == .positive }.count }
    var likelihoodPositive: Int { nsmc.filter { $0.likelihoodChoice == .positive }.count }
}

/// The ROUGE levels scored for every summary: the two we report and rouge-score's ASCII default, to show its zeros.
let scoredLevels: [RougeLevel] = [.syllable, .eojeol, .ascii]

func evaluate(_ model: ModelUnderTest, articles: [SummaryExample], split: NSMCSplit, instructions: [HeldOutInstruction],
              settings: EvaluationSettings) throws -> ModelEvaluation {
    let tokenizer = try BPETokenizer(contentsOf: model.directory + "/tokenizer.json")
    let network = try Checkpoint.loadModel(from: model.directory)
    guard tokenizer.vocabularySize <= network.config.vocabSize else {
        throw ModelError("\(model.directory): tokenizer.json has \(tokenizer.vocabularySize) ids, the model's embedding only \(network.config.vocabSize)")
    }
    let decoder = Decoder(model: network, vocabularyLimit: tokenizer.vocabularySize)
    let stop: Set<Int32> = [tokenizer.endOfText]
    var generatedTokens = 0

    // Summaries: the article cut from its end so that prompt + new tokens fit the context.
    var summaries: [SummaryOutcome] = []
    let budget = decoder.context - settings.maxNewTokens
    var sampler = settings.temperature > 0
        ? Sampler(temperature: settings.temperature, topK: settings.topK, topP: settings.topP, seed: settings.seed)
        : Sampler.greedy
    let summaryStart = Date()
    let summaryProgress = Progress("\(model.id) summaries", total: articles.count, unit: "articles")
    for (i, example) in articles.enumerated() {
        let ids: [Int32], kept: Int
        do { (ids, kept) = try settings.summaryPrompt.fit(document: example.document, tokenizer: tokenizer, budget: budget) } catch {
            throw ModelError("\(model.id), article \(example.id): \(error) (--no-summaries leaves the summarization test out)")
        }
        let generated = try decoder.generate(prompt: ids, maxNewTokens: settings.maxNewTokens, stopTokens: stop, sampler: &sampler)
        generatedTokens += generated.tokens.count
        let output = tokenizer.decode(generated.tokens).trimmingCharacters(in: .whitespacesAndNewlines)
        var scores: [RougeLevel: RougePair] = [:]
        for level in scoredLevels { scores[level] = Rouge.score(prediction: output, reference: example.reference, level: level) }
        summaries.append(SummaryOutcome(example: example, promptTokens: ids.count, keptCharacters: kept, output: output,
                                        newTokens: generated.tokens.count, stop: generated.stop, scores: scores))
        summaryProgress.update(i + 1)
    }
    let summarySeconds = Date().timeIntervalSince(summaryStart)

    // NSMC: one forward of the prompt gives both readings (see Decoder.logLikelihoods).
    var outcomes: [NSMCOutcome] = []
    let nsmcStart = Date()
    let nsmcProgress = Progress("\(model.id) NSMC", total: split.scored.count, unit: "reviews")
    let labels = SentimentLabel.allCases.reversed()     // positive, negative
    let continuations = labels.map { tokenizer.encode(settings.nsmcPrompt.continuation($0)) }
    let room = max(settings.nsmcAnswerTokens, continuations.map(\.count).max() ?? 1)
    for (i, row) in split.scored.enumerated() {
        var draw = SeededRandom(seed: settings.seed &+ UInt64(i))
        let demonstration = split.demonstrations[settings.demonstrationPerExample ? draw.below(split.demonstrations.count) : 0]
        let (ids, kept) = try PromptFit.fit(row.document, tokenizer: tokenizer, budget: decoder.context - room) {
            settings.nsmcPrompt.text(demonstration: demonstration, document: $0)
        }
        let (scores, first) = try decoder.logLikelihoods(prompt: ids, continuations: continuations)
        var greedy = Sampler.greedy
        let generated = try decoder.generate(prompt: ids, firstLogits: first, maxNewTokens: settings.nsmcAnswerTokens,
                                             stopTokens: stop, sampler: &greedy)
        generatedTokens += generated.tokens.count
        let answer = tokenizer.decode(generated.tokens)
        outcomes.append(NSMCOutcome(row: row, demonstration: demonstration, promptTokens: ids.count,
                                    reviewCut: kept < row.document.count, answer: answer,
                                    parsed: NSMC.parseAnswer(answer),
                                    logLikelihood: Dictionary(uniqueKeysWithValues: zip(labels, scores))))
        nsmcProgress.update(i + 1)
    }
    let nsmcSeconds = Date().timeIntervalSince(nsmcStart)
    let answers = try answer(instructions, decoder: decoder, tokenizer: tokenizer, template: settings.summaryPrompt.template,
                             maxNewTokens: settings.maxNewTokens)
    generatedTokens += answers.reduce(0) { $0 + $1.newTokens }
    return ModelEvaluation(model: model, parameters: network.config.parameterCount, summaries: summaries, nsmc: outcomes,
                           answers: answers, summarySeconds: summarySeconds, nsmcSeconds: nsmcSeconds,
                           generatedTokens: generatedTokens)
}

/// What copying gets: the article's first `tokens` tokens as the "summary", no model at all. The references of an
/// extractive set like sci-news-sum-kr-50 are sentences of the article, often its first ones, so this is the floor a
/// summarizer should clear (news summarization calls it the lead baseline).
func leadBaseline(_ articles: [SummaryExample], tokenizer: BPETokenizer, tokens: Int) -> [[RougeLevel: RougePair]] {
    articles.map { article in
        let lead = tokenizer.decode(Array(tokenizer.encode(article.document).prefix(tokens)))
        var scores: [RougeLevel: RougePair] = [:]
        for level in scoredLevels { scores[level] = Rouge.score(prediction: lead, reference: article.reference, level: level) }
        return scores
    }
}
