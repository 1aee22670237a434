import Tensor
import Plumbing

// MARK: - Scales

/// One code path, four sizes. Every knob a chapter scales by lives here, visible in one place.
///  - smoke:  seconds; what the tests and CI run end to end.
///  - course: the default; the whole book on two CPU cores in about an hour (REPRODUCE.md, "Course plan"; chapter 06's
///            sizes and template ablations on request).
///  - full:   the course models on all the data there is (every NSMC row, every record), hours on a CPU.
///  - paper:  the paper's shapes; chapters prepare what a GPU cluster runs (chapter 03's budget, ch04's DeepSpeed hand-off).
public enum Scale: String, CaseIterable, Sendable {
    case smoke, course, full, paper
}

public struct Preset: Sendable {
    public var scale: Scale

    // Chapter 00: the base models, pretrained on Korean Wikipedia (what the paper took off the shelf)
    public var pretraining: Pretraining

    // Chapters 00 and 02: the tokenizer and the examples
    /// Size of the byte-level BPE we train (Polyglot-Ko's is 30,003, padded to 30,080 in the model).
    public var tokenizerVocabSize: Int
    /// Longest training sequence, prompt + response + EOS, in tokens.
    public var contextLength: Int
    /// Records held out for validation loss (a fixed, seeded choice).
    public var validationRecords: Int
    /// At most this many training records are used (nil: all). Keeps the course within its hour when a user has the
    /// full 49,620-record file.
    public var maxTrainingRecords: Int?

    // Chapter 04: the recipe of the paper, and the grid mirroring Table 4
    public var epochs: Int
    public var batchSize: Int              // sequences per optimizer step (the paper: 32)
    public var microBatchSize: Int         // sequences per forward/backward; batchSize / microBatchSize accumulation steps
    public var warmupRatio: Double         // the paper: 6% of the steps
    public var gradientClip: Double        // the paper: 1.0
    /// Batches of examples of similar length (Hugging Face's `group_by_length`): the same examples per epoch, far less
    /// padding computed. The paper does not say; Trainer's default is off, and the paper-scale hand-off keeps it.
    public var groupByLength: Bool
    /// The two learning rates of the grid, (higher, lower). The paper's are `Paper.learningRates` (a 7.1 : 1 ratio).
    public var learningRates: (high: Double, low: Double)
    /// The two model sizes of the grid, (smaller, larger): stand-ins for Polyglot-Ko 5.8B and 12.8B.
    public var models: (small: NeoXConfig, large: NeoXConfig)
    /// The size sweep (chapter 06): Polyglot-Ko's four shapes scaled down by these factors (see `sizeSweep`).
    public var sweepDivisors: (width: Int, depth: Int, heads: Int)

    // Chapter 05: evaluation
    public var nsmcScored: Int?            // nil: every row but the demonstration slice
    public var summaryArticles: Int?       // nil: all
    public var maxNewTokens: Int

    public static func named(_ scale: Scale) -> Preset {
        switch scale {
        case .smoke: return smoke
        case .course: return course
        case .full: return full
        case .paper: return paper
        }
    }

    /// Pretraining the course's models: the corpus, the token budget and the recipe (the loop is the fine-tuning one:
    /// AdamW, linear warmup then cosine decay, clipping).
    public struct Pretraining: Sendable {
        /// Articles shorter than this (in characters, after cleaning) are left out: mostly stubs of a line or two.
        public var minimumCharacters: Int
        /// Whole articles held out, never trained on: the held-out loss and the real-word rate's reference.
        public var heldOutArticles: Int
        /// The first of them, in corpus order: what the held-out loss is measured on during training (and after
        /// fine-tuning, in chapter 04). All of them, once at the end: a forward pass over every held-out token at
        /// every validation point would cost more than a fifth of the training.
        public var heldOutSampleArticles: Int
        /// Positions trained on per base model (every position of a packed sequence is a target). A budget, not a
        /// time limit, so that runs are deterministic; faster training buys more of them in the same hour.
        public var tokens: Int
        /// The same, for each of chapter 06's four sweep shapes (`--models sweep`): a smaller budget, so that the
        /// sizes ablation fits the course's hour; the four are compared with each other at equal tokens.
        public var sweepTokens: Int
        public var batchSize: Int           // sequences per optimizer step
        public var microBatchSize: Int
        public var learningRate: Double
        public var warmupRatio: Double
        /// Held-out loss this many times during training (and at the end), for the curve against tokens seen.
        public var validations: Int

        public init(minimumCharacters: Int, heldOutArticles: Int, heldOutSampleArticles: Int, tokens: Int, sweepTokens: Int,
                    batchSize: Int, microBatchSize: Int, learningRate: Double, warmupRatio: Double, validations: Int) {
            self.minimumCharacters = minimumCharacters; self.heldOutArticles = heldOutArticles
            self.heldOutSampleArticles = heldOutSampleArticles; self.tokens = tokens; self.sweepTokens = sweepTokens
            self.batchSize = batchSize; self.microBatchSize = microBatchSize; self.learningRate = learningRate
            self.warmupRatio = warmupRatio; self.validations = validations
        }
    }

    /// Rows of the model's embedding: the tokenizer's vocabulary rounded up to a multiple of 128, as Polyglot-Ko pads
    /// 30,003 to 30,080 (= 235 × 128) so the output matmul has friendly shapes.
    public static func paddedVocabulary(_ n: Int) -> Int { (n + 127) / 128 * 128 }
}

extension Preset {
    /// The course's rates keep the paper's ratio, to two decimals (7.14 : 1). The higher one, 1e-3, is a third of
    /// pretraining's peak (3e-3): fine-tuning a pretrained base wants a lower rate than training from random weights
    /// (REPRODUCE.md, chapter 04, measures it against others).
    static func courseRates(high: Double) -> (high: Double, low: Double) {
        (high, high / ((Paper.learningRateRatio * 100).rounded() / 100))
    }

    public static let smoke = Preset(
        scale: .smoke,
        pretraining: Pretraining(minimumCharacters: 40, heldOutArticles: 4, heldOutSampleArticles: 2, tokens: 24 * 4 * 384,
                                 sweepTokens: 24 * 4 * 384,
                                 batchSize: 4, microBatchSize: 2, learningRate: 3e-3, warmupRatio: Paper.warmupRatio,
                                 validations: 4),
        tokenizerVocabSize: 384, contextLength: 384, validationRecords: 4, maxTrainingRecords: 48,
        epochs: Paper.epochs, batchSize: 8, microBatchSize: 4, warmupRatio: Paper.warmupRatio, gradientClip: Paper.gradientClip,
        groupByLength: true, learningRates: courseRates(high: 3e-3),
        models: (small: NeoXConfig(name: "smoke-small", vocabSize: paddedVocabulary(384), hiddenSize: 32, numLayers: 2,
                                   numHeads: 2, rotaryPct: 0.25, maxPositions: 384),
                 large: NeoXConfig(name: "smoke-large", vocabSize: paddedVocabulary(384), hiddenSize: 48, numLayers: 2,
                                   numHeads: 3, rotaryPct: 0.5, maxPositions: 384)),
        sweepDivisors: (width: 128, depth: 12, heads: 8),
        nsmcScored: 40, summaryArticles: 4, maxNewTokens: 16)

    /// The course pair mirrors 5.8B (few wide heads, rotary on a quarter of each) and 12.8B (more, narrower heads,
    /// rotary on half of each, deeper): width, depth and vocabulary scaled down so both train on two cores.
    public static let course = Preset(
        scale: .course,
        pretraining: Pretraining(minimumCharacters: 200, heldOutArticles: 300, heldOutSampleArticles: 20, tokens: 700_000,
                                 // Batches of 8: at this budget more, smaller steps go further (REPRODUCE.md, chapter 00).
                                 sweepTokens: 250_000,
                                 batchSize: 8, microBatchSize: 8, learningRate: 3e-3, warmupRatio: Paper.warmupRatio,
                                 validations: 8),
        tokenizerVocabSize: 4000, contextLength: 256, validationRecords: 40, maxTrainingRecords: 1000,
        epochs: Paper.epochs, batchSize: Paper.batchSize, microBatchSize: 8, warmupRatio: Paper.warmupRatio,
        gradientClip: Paper.gradientClip, groupByLength: true, learningRates: courseRates(high: 1e-3),
        models: (small: NeoXConfig(name: "course-small", vocabSize: paddedVocabulary(4000), hiddenSize: 192, numLayers: 4,
                                   numHeads: 2, rotaryPct: 0.25, maxPositions: 256),
                 large: NeoXConfig(name: "course-large", vocabSize: paddedVocabulary(4000), hiddenSize: 256, numLayers: 7,
                                   numHeads: 4, rotaryPct: 0.5, maxPositions: 256)),
        sweepDivisors: (width: 32, depth: 4, heads: 8),
        nsmcScored: 500, summaryArticles: nil, maxNewTokens: 96)

    public static let full: Preset = {
        var p = course
        p.scale = .full
        p.maxTrainingRecords = nil
        p.validationRecords = 500
        p.nsmcScored = nil
        p.pretraining.heldOutArticles = 500
        p.pretraining.heldOutSampleArticles = 100
        p.pretraining.tokens = 16_000_000            // about two passes over the sample's longer articles
        p.pretraining.sweepTokens = 16_000_000
        p.pretraining.batchSize = 32                 // more tokens: fewer, larger steps
        p.pretraining.validations = 24
        return p
    }()

    /// The paper's own recipe and models. Nothing at this scale trains on a CPU: chapters use it for budgets and for
    /// the files handed to DeepSpeed.
    public static let paper = Preset(
        scale: .paper,
        // At this scale the book takes Polyglot-Ko off the shelf, as the paper did: chapter 00 only says where it is.
        pretraining: Pretraining(minimumCharacters: 200, heldOutArticles: 0, heldOutSampleArticles: 0, tokens: 0, sweepTokens: 0,
                                 batchSize: 0,
                                 microBatchSize: 0, learningRate: 0, warmupRatio: 0, validations: 0),
        tokenizerVocabSize: 30_003, contextLength: 2048, validationRecords: 0, maxTrainingRecords: nil,
        epochs: Paper.epochs, batchSize: Paper.batchSize, microBatchSize: PaperSetup.microBatchPerGPU,
        warmupRatio: Paper.warmupRatio, gradientClip: Paper.gradientClip, groupByLength: false, learningRates: Paper.learningRates,
        models: (small: .polyglotKo5_8B, large: .polyglotKo12_8B),
        sweepDivisors: (width: 1, depth: 1, heads: 1),
        nsmcScored: nil, summaryArticles: nil, maxNewTokens: 128)
}

// MARK: - The size sweep

extension Preset {
    /// Polyglot-Ko 1.3B / 3.8B / 5.8B / 12.8B scaled down: width ÷ `sweepDivisors.width`, layers ÷ `.depth` (rounded,
    /// at least 1), heads ÷ `.heads`, with the rotary share of each head kept. At the course scale (÷32, ÷4, ÷8) the
    /// shapes keep every ratio of the originals: widths 64/96/128/160 (2048…5120 ÷ 32), layers 6/8/7/10 (the 5.8B is
    /// shallower than the 3.8B there too), heads 2/3/2/5 (16/24/16/40 ÷ 8), so head widths 32/32/64/32 — the 5.8B's
    /// heads twice as wide as the others', as in the originals — and 16 rotary dimensions in every head (64 ÷ 4).
    public var sizeSweep: [NeoXConfig] {
        let d = sweepDivisors
        return NeoXConfig.polyglotKo.map { paper in
            let suffix = paper.name.replacingOccurrences(of: "polyglot-ko-", with: "")
            return NeoXConfig(name: scale == .paper ? paper.name : "\(scale.rawValue)-\(suffix)",
                              vocabSize: scale == .paper ? paper.vocabSize : Preset.paddedVocabulary(tokenizerVocabSize),
                              hiddenSize: paper.hiddenSize / d.width,
                              numLayers: max(1, Int((Double(paper.numLayers) / Double(d.depth)).rounded())),
                              numHeads: max(1, paper.numHeads / d.heads), rotaryPct: paper.rotaryPct,
                              maxPositions: scale == .paper ? paper.maxPositions : contextLength)
        }
    }
}
