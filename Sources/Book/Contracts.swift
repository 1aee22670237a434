// The book's data flow on one page: every artifact one chapter hands another, grouped by the chapter that writes
// it, with the chapters that read it. A chapter reads another's output only through one of these handles (checked
// against the writer's manifest by `ChapterRun.read`), never by a path or a manifest option of its own making.
//
//   00 pretraining  ── tokenizer.json, base/<model>/, bases.json, heldout.jsonl, runs/<model>/validation.csv ──▶ 02, 04, 05, 06
//                      (and to chapter 00 of another run, with another budget: --compare-with)
//   01 data-repair  ── repaired.jsonl ─────────────────────────────▶ 02, 06
//   02 prompting    ── tokenizer.json, train.jsonl, validation.jsonl, stats.json ──▶ 03, 04, 06
//   04 training     ── grid.json, cells/<id>/{metrics.csv, validation.csv, model/} ──▶ 05, 06
//   05 evaluation   ── cells/<id>/{summaries.jsonl, nsmc.jsonl} ──────────────────▶ 06
import Plumbing
import Repro

public enum Artifacts {
    // MARK: Chapter 00 → 02, 04, 05, 06
    /// The base models' tokenizer, trained on the pretraining corpus: chapter 02 tokenizes the instructions with it.
    public static let baseTokenizer = Artifact<BPETokenizer>(.pretraining, "tokenizer.json")
    /// A pretrained base model (Hugging Face layout, with its tokenizer), named by its config: what chapter 04 fine-tunes.
    public static func base(_ model: String) -> Artifact<ModelFolder> { .init(.pretraining, "base/\(model)") }
    /// Which bases there are and what pretraining measured of them.
    public static let bases = Artifact<Bases>(.pretraining, "bases.json")
    /// The held-out articles, never trained on.
    public static let heldOutArticles = Artifact<JSONLines<HeldOutArticle>>(.pretraining, "heldout.jsonl")
    /// The first of them: the held-out loss during pretraining, and what is left of it after fine-tuning (chapter 04).
    public static let heldOutSample = Artifact<JSONLines<HeldOutArticle>>(.pretraining, "heldout-sample.jsonl")
    /// A base's loss on the held-out sample at each validation point (the trainer's validation log): another run of
    /// chapter 00 with a different budget draws it beside its own (`--compare-with`).
    public static func heldOutCurve(_ model: String) -> Artifact<CSVTable<HeldOutPoint>> { .init(.pretraining, "runs/\(model)/validation.csv") }

    // MARK: Chapter 01 → 02, 06
    /// Every accepted KoAlpaca record in file order, the grammar records repaired.
    public static let repairedRecords = Artifact<JSONLines<InstructionRecord>>(.dataRepair, "repaired.jsonl")

    // MARK: Chapter 02 → 03, 04, 05, 06
    /// The byte-level BPE the examples were tokenized with (Hugging Face format).
    public static let tokenizer = Artifact<BPETokenizer>(.prompting, "tokenizer.json")
    public static let trainingExamples = Artifact<JSONLines<TrainingExample>>(.prompting, "train.jsonl")
    public static let validationExamples = Artifact<JSONLines<TrainingExample>>(.prompting, "validation.jsonl")
    /// Counts of the examples, and the template they were made with.
    public static let promptingStats = Artifact<PromptingStats>(.prompting, "stats.json")

    // MARK: Chapter 04 → 05, 06
    /// The cells in grid order, with their final losses.
    public static let grid = Artifact<Grid>(.training, "grid.json")
    public static func metrics(_ cell: String) -> Artifact<CSVTable<StepRecord>> { .init(.training, "cells/\(cell)/metrics.csv") }
    public static func validationCurve(_ cell: String) -> Artifact<CSVTable<ValidationRecord>> { .init(.training, "cells/\(cell)/validation.csv") }
    /// A cell's final model in Hugging Face layout, with its tokenizer.
    public static func model(_ cell: String) -> Artifact<ModelFolder> { .init(.training, "cells/\(cell)/model") }

    // MARK: Chapter 05 → 06
    public static func summaries(_ cell: String) -> Artifact<JSONLines<SummaryPrediction>> { .init(.evaluation, "cells/\(cell)/summaries.jsonl") }
    public static func nsmcPredictions(_ cell: String) -> Artifact<JSONLines<NSMCPrediction>> { .init(.evaluation, "cells/\(cell)/nsmc.jsonl") }
}

// MARK: - Chapter 00's bases

/// A loss per token, and the same summed loss per character and per Hangul syllable of the text (which no tokenizer
/// can change, so they compare across tokenizers).
public struct LossRates: Equatable {
    public var perToken: Double, perCharacter: Double, perSyllable: Double
    public init(perToken: Double, perCharacter: Double, perSyllable: Double) {
        self.perToken = perToken; self.perCharacter = perCharacter; self.perSyllable = perSyllable
    }
    public init(_ c: CrossEntropy) { self.init(perToken: c.perToken, perCharacter: c.perCharacter, perSyllable: c.perHangulSyllable) }

    var json: JSON { JSON(["per_token": .number(perToken), "per_character": .number(perCharacter), "per_syllable": .number(perSyllable)]) }
    init(json: JSON?, _ key: String) throws(RecordProblem) {
        guard let j = json?[key] else { throw RecordProblem("missing \"\(key)\"") }
        self.init(perToken: try j.double("per_token"), perCharacter: try j.double("per_character"), perSyllable: try j.double("per_syllable"))
    }
}

/// The held-out loss at one point of pretraining, per token of the held-out sample.
public struct HeldOutPoint: CSVRow, Equatable {
    public var step: Int, tokens: Int, loss: Double
    public static let columns = ["step", "tokens_seen", "held_out_loss"]
    public var fields: [String] { ["\(step)", "\(tokens)", "\(loss)"] }
    public init(step: Int, tokens: Int, loss: Double) { self.step = step; self.tokens = tokens; self.loss = loss }
    public init(fields f: [Substring]) throws(RecordProblem) {
        let c = HeldOutPoint.columns
        self.init(step: try CSV.number(f, 0, of: c), tokens: try CSV.number(f, 1, of: c), loss: try CSV.number(f, 2, of: c))
    }
}

/// The base models chapter 00 pretrained, and the held-out text they were measured on.
public struct Bases: JSONDocument, Equatable {
    public struct Base: Equatable {
        public var model: String             // the config's name: chapter 04's cells of this model start from it
        public var parameters: Int
        public var steps: Int
        public var tokensSeen: Int
        /// On every held-out article, and on the sample chapter 04 measures again after fine-tuning.
        public var heldOut: LossRates
        public var heldOutSample: LossRates
        /// Share of the eojeol of its greedy continuations found in the held-out articles.
        public var realWordRate: Double
        public init(model: String, parameters: Int, steps: Int, tokensSeen: Int, heldOut: LossRates, heldOutSample: LossRates,
                    realWordRate: Double) {
            self.model = model; self.parameters = parameters; self.steps = steps; self.tokensSeen = tokensSeen
            self.heldOut = heldOut; self.heldOutSample = heldOutSample; self.realWordRate = realWordRate
        }
    }
    public var heldOutArticles: Int
    public var heldOutTokens: Int
    public var unigram: LossRates
    public var bigram: LossRates
    public var models: [Base]

    public init(heldOutArticles: Int, heldOutTokens: Int, unigram: LossRates, bigram: LossRates, models: [Base]) {
        self.heldOutArticles = heldOutArticles; self.heldOutTokens = heldOutTokens; self.unigram = unigram
        self.bigram = bigram; self.models = models
    }

    public func base(_ model: String) -> Base? { models.first { $0.model == model } }

    public var json: JSON {
        JSON(["held_out_articles": .number(Double(heldOutArticles)), "held_out_tokens": .number(Double(heldOutTokens)),
              "unigram": unigram.json, "bigram": bigram.json,
              "models": .array(models.map { b in
                  JSON(["model": .string(b.model), "parameters": .number(Double(b.parameters)), "steps": .number(Double(b.steps)),
                        "tokens_seen": .number(Double(b.tokensSeen)), "held_out": b.heldOut.json,
                        "held_out_sample": b.heldOutSample.json, "real_word_rate": .number(b.realWordRate)])
              })])
    }

    public init(json: JSON, file: String) throws {
        do {
            guard let models = json["models"]?.array else { throw RecordProblem("missing array \"models\"") }
            self.init(heldOutArticles: try json.int("held_out_articles"), heldOutTokens: try json.int("held_out_tokens"),
                      unigram: try LossRates(json: json, "unigram"), bigram: try LossRates(json: json, "bigram"),
                      models: try models.map { m throws(RecordProblem) in
                          Base(model: try m.string("model"), parameters: try m.int("parameters"), steps: try m.int("steps"),
                               tokensSeen: try m.int("tokens_seen"), heldOut: try LossRates(json: m, "held_out"),
                               heldOutSample: try LossRates(json: m, "held_out_sample"), realWordRate: try m.double("real_word_rate"))
                      })
        } catch { throw RecordError(file: file, problem: "\(error)") }
    }
}

/// One held-out article, as text (each reader tokenizes it with the tokenizer of the model it measures).
public struct HeldOutArticle: JSONRecord, Equatable {
    public var id: String, title: String, text: String
    public init(id: String, title: String, text: String) { self.id = id; self.title = title; self.text = text }
    public var json: JSON { .object(JSONObject([("id", .string(id)), ("title", .string(title)), ("text", .string(text))])) }
    public init(json: JSON) throws(RecordProblem) {
        self.init(id: try json.string("id"), title: try json.string("title"), text: try json.string("text"))
    }
}

// MARK: - Chapter 02's counts

public struct PromptingStats: JSONDocument, Equatable {
    public var records: Int
    public var trainingExamples: Int
    public var validationExamples: Int
    public var meanTokensPerRecord: Double
    public var tokens: Int
    public var labelledPositions: Int
    public var truncated: Int
    public var dropped: Int
    /// Tokens per Hangul syllable of the training responses: how finely the tokenizer cuts Korean.
    public var tokensPerSyllable: Double
    public var vocabularySize: Int
    public var contextLength: Int
    /// The template the examples were made with; chapter 05 prompts in the same.
    public var template: PromptTemplate
    /// Where the tokenizer came from: the base models' (`baseTokenizer`, chapter 00's), or the path of the file loaded.
    public var tokenizerSource: String
    public static let baseTokenizer = "00-pretraining/tokenizer.json"

    public init(records: Int, trainingExamples: Int, validationExamples: Int, meanTokensPerRecord: Double, tokens: Int,
                labelledPositions: Int, truncated: Int, dropped: Int, tokensPerSyllable: Double, vocabularySize: Int,
                contextLength: Int, template: PromptTemplate, tokenizerSource: String) {
        self.records = records; self.trainingExamples = trainingExamples; self.validationExamples = validationExamples
        self.meanTokensPerRecord = meanTokensPerRecord; self.tokens = tokens; self.labelledPositions = labelledPositions
        self.truncated = truncated; self.dropped = dropped; self.tokensPerSyllable = tokensPerSyllable
        self.vocabularySize = vocabularySize; self.contextLength = contextLength; self.template = template
        self.tokenizerSource = tokenizerSource
    }

    public var json: JSON {
        JSON(["records": .number(Double(records)), "training_examples": .number(Double(trainingExamples)),
              "validation_examples": .number(Double(validationExamples)), "mean_tokens_per_record": .number(meanTokensPerRecord),
              "tokens": .number(Double(tokens)), "labelled_positions": .number(Double(labelledPositions)),
              "truncated": .number(Double(truncated)), "dropped": .number(Double(dropped)),
              "tokens_per_syllable": .number(tokensPerSyllable), "vocabulary_size": .number(Double(vocabularySize)),
              "context_length": .number(Double(contextLength)), "template": .string(template.rawValue),
              "tokenizer": .string(tokenizerSource)])
    }

    public init(json: JSON, file: String) throws {
        do {
            let name = try json.string("template")
            guard let template = PromptTemplate(rawValue: name) else { throw RecordProblem("unknown template \"\(name)\"") }
            self.init(records: try json.int("records"), trainingExamples: try json.int("training_examples"),
                      validationExamples: try json.int("validation_examples"),
                      meanTokensPerRecord: try json.double("mean_tokens_per_record"), tokens: try json.int("tokens"),
                      labelledPositions: try json.int("labelled_positions"), truncated: try json.int("truncated"),
                      dropped: try json.int("dropped"), tokensPerSyllable: try json.double("tokens_per_syllable"),
                      vocabularySize: try json.int("vocabulary_size"), contextLength: try json.int("context_length"),
                      template: template, tokenizerSource: try json.string("tokenizer"))
        } catch { throw RecordError(file: file, problem: "\(error)") }
    }
}

extension BPETokenizer: WritableArtifact {
    public static func read(from path: String) throws -> BPETokenizer { try BPETokenizer(contentsOf: path) }
    public var bytes: [UInt8] { Array(huggingFaceJSON().serialized(pretty: true).utf8) }
}

// MARK: - Chapter 04's grid

/// What later chapters need to know of one trained cell: deterministic, so no wall times.
public struct CellSummary: Equatable {
    public var id: String                  // "small-high": the folder name under cells/
    public var size: String                // "small" / "large", or a sweep size
    public var rate: String                // "high" / "low"
    public var model: String               // the config's name
    public var parameters: Int
    public var learningRate: Double
    public var steps: Int
    public var tokensSeen: Int
    public var finalTrainLoss: Double
    public var finalValidationLoss: Double?
    public var finalTrainResponseLoss: Double?
    /// After fine-tuning, the loss on chapter 00's held-out Wikipedia articles (when the cell started from a base).
    public var heldOutWikipedia: LossRates?

    public init(id: String, size: String, rate: String, model: String, parameters: Int, learningRate: Double, steps: Int,
                tokensSeen: Int, finalTrainLoss: Double, finalValidationLoss: Double?, finalTrainResponseLoss: Double?,
                heldOutWikipedia: LossRates? = nil) {
        self.id = id; self.size = size; self.rate = rate; self.model = model; self.parameters = parameters
        self.learningRate = learningRate; self.steps = steps; self.tokensSeen = tokensSeen; self.finalTrainLoss = finalTrainLoss
        self.finalValidationLoss = finalValidationLoss; self.finalTrainResponseLoss = finalTrainResponseLoss
        self.heldOutWikipedia = heldOutWikipedia
    }
}

public struct Grid: JSONDocument, Equatable {
    public var cells: [CellSummary]
    public init(cells: [CellSummary]) { self.cells = cells }

    public func cell(_ id: String) -> CellSummary? { cells.first { $0.id == id } }

    public var json: JSON {
        .array(cells.map { c in
            JSON(["id": .string(c.id), "size": .string(c.size), "rate": .string(c.rate), "model": .string(c.model),
                  "parameters": .number(Double(c.parameters)), "learning_rate": .number(c.learningRate),
                  "steps": .number(Double(c.steps)), "tokens_seen": .number(Double(c.tokensSeen)),
                  "final_train_loss": .number(c.finalTrainLoss),
                  "final_validation_loss": c.finalValidationLoss.map { .number($0) } ?? .null,
                  "final_train_response_loss": c.finalTrainResponseLoss.map { .number($0) } ?? .null,
                  "held_out_wikipedia": c.heldOutWikipedia?.json ?? .null])
        })
    }

    public init(json: JSON, file: String) throws {
        guard let array = json.array else { throw RecordError(file: file, problem: "expected an array of cells") }
        cells = try array.enumerated().map { index, c in
            do {
                func optional(_ key: String) throws(RecordProblem) -> Double? { c[key]?.isNull ?? true ? nil : try c.double(key) }
                return CellSummary(id: try c.string("id"), size: try c.string("size"), rate: try c.string("rate"),
                                   model: try c.string("model"), parameters: try c.int("parameters"),
                                   learningRate: try c.double("learning_rate"), steps: try c.int("steps"),
                                   tokensSeen: try c.int("tokens_seen"), finalTrainLoss: try c.double("final_train_loss"),
                                   finalValidationLoss: try optional("final_validation_loss"),
                                   finalTrainResponseLoss: try optional("final_train_response_loss"),
                                   heldOutWikipedia: c["held_out_wikipedia"]?.isNull ?? true ? nil : try LossRates(json: c, "held_out_wikipedia"))
            } catch { throw RecordError(file: file, record: index, problem: "\(error)") }
        }
    }
}

/// A model directory in Hugging Face layout, with the tokenizer beside it.
public struct ModelFolder: ArtifactContent {
    public static let members = [Checkpoint.configFile, Checkpoint.modelFile, "tokenizer.json"]
    public var directory: String
    public static func read(from path: String) throws -> ModelFolder { ModelFolder(directory: path) }
    public var tokenizerPath: String { directory + "/tokenizer.json" }
}

// MARK: - Chapter 05's predictions

/// One summary and its ROUGE scores, per tokenization level in the order they were scored.
public struct SummaryPrediction: JSONRecord {
    public var id: String
    public var prediction: String
    public var reference: String
    public var promptTokens: Int
    public var newTokens: Int
    public var articleCharactersKept: Int
    public var stop: String                     // Generated.Stop's raw value
    public var scores: [(level: String, rouge1: Double, rougeL: Double)]

    public init(id: String, prediction: String, reference: String, promptTokens: Int, newTokens: Int,
                articleCharactersKept: Int, stop: String, scores: [(level: String, rouge1: Double, rougeL: Double)]) {
        self.id = id; self.prediction = prediction; self.reference = reference; self.promptTokens = promptTokens
        self.newTokens = newTokens; self.articleCharactersKept = articleCharactersKept; self.stop = stop; self.scores = scores
    }

    public func score(_ level: String) -> (rouge1: Double, rougeL: Double)? {
        scores.first { $0.level == level }.map { ($0.rouge1, $0.rougeL) }
    }

    public var json: JSON {
        var pairs: [(String, JSON)] = [("id", .string(id)), ("prediction", .string(prediction)), ("reference", .string(reference)),
                                       ("prompt_tokens", .number(Double(promptTokens))), ("new_tokens", .number(Double(newTokens))),
                                       ("article_characters_kept", .number(Double(articleCharactersKept))), ("stop", .string(stop))]
        for s in scores {
            pairs.append(("\(s.level)_rouge1_f1", .number(s.rouge1)))
            pairs.append(("\(s.level)_rougeL_f1", .number(s.rougeL)))
        }
        return .object(JSONObject(pairs))
    }

    public init(json: JSON) throws(RecordProblem) {
        var scores: [(level: String, rouge1: Double, rougeL: Double)] = []
        for key in json.object?.keys ?? [] where key.hasSuffix("_rouge1_f1") {
            let level = String(key.dropLast("_rouge1_f1".count))
            scores.append((level, try json.double(key), try json.double(level + "_rougeL_f1")))
        }
        self.init(id: try json.string("id"), prediction: try json.string("prediction"), reference: try json.string("reference"),
                  promptTokens: try json.int("prompt_tokens"), newTokens: try json.int("new_tokens"),
                  articleCharactersKept: try json.int("article_characters_kept"), stop: try json.string("stop"), scores: scores)
    }
}

/// One NSMC review: the generated answer and its parsed label, and the log-likelihood reading.
public struct NSMCPrediction: JSONRecord {
    public var id: String
    public var document: String
    public var label: String                   // 긍정 / 부정
    public var demonstrationID: String
    public var answer: String
    public var parsed: String?                 // nil: unparseable
    public var logpPositive: Double            // NaN when it could not be computed
    public var logpNegative: Double
    public var likelihoodChoice: String

    public init(id: String, document: String, label: String, demonstrationID: String, answer: String, parsed: String?,
                logpPositive: Double, logpNegative: Double, likelihoodChoice: String) {
        self.id = id; self.document = document; self.label = label; self.demonstrationID = demonstrationID
        self.answer = answer; self.parsed = parsed; self.logpPositive = logpPositive; self.logpNegative = logpNegative
        self.likelihoodChoice = likelihoodChoice
    }

    public var json: JSON {
        .object(JSONObject([("id", .string(id)), ("document", .string(document)), ("label", .string(label)),
                            ("demonstration_id", .string(demonstrationID)), ("answer", .string(answer)),
                            ("parsed", parsed.map { .string($0) } ?? .null),
                            ("logp_positive", .number(logpPositive)), ("logp_negative", .number(logpNegative)),
                            ("likelihood_choice", .string(likelihoodChoice))]))
    }

    public init(json: JSON) throws(RecordProblem) {
        // A non-finite log-likelihood is written as null.
        func logp(_ key: String) throws(RecordProblem) -> Double { json[key]?.isNull ?? false ? .nan : try json.double(key) }
        let parsed = json["parsed"]
        self.init(id: try json.string("id"), document: try json.string("document"), label: try json.string("label"),
                  demonstrationID: try json.string("demonstration_id"), answer: try json.string("answer"),
                  parsed: parsed?.isNull ?? true ? nil : try json.string("parsed"),
                  logpPositive: try logp("logp_positive"), logpNegative: try logp("logp_negative"),
                  likelihoodChoice: try json.string("likelihood_choice"))
    }
}
