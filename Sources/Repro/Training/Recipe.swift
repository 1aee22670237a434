// Every hyperparameter of a training run, in one place, and what a run records at each step.
import Plumbing

/// The recipe of one training run (the paper's values are the presets' defaults; see `Paper`).
public struct Recipe: Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int              // sequences per optimizer step (the paper: 32)
    public var microBatchSize: Int         // sequences per forward/backward; batchSize / microBatchSize accumulated
    public var warmupRatio: Double         // linear warmup over this share of the steps, then cosine decay to 0
    public var gradientClip: Double        // global-norm clipping (the paper: 1.0)
    public var groupByLength = false       // batches of examples of similar length (instruction tuning; see ExampleBatches)
    public var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0   // HF Trainer defaults
    public var seed: UInt64
    public var validateEvery: Int          // optimizer steps between validation losses (and one at the end)
    public var checkpointEvery: Int        // optimizer steps between checkpoints (and one at the end)

    public init(epochs: Int, batchSize: Int, microBatchSize: Int, warmupRatio: Double, gradientClip: Double,
                seed: UInt64, validateEvery: Int, checkpointEvery: Int) {
        self.epochs = epochs; self.batchSize = batchSize; self.microBatchSize = microBatchSize
        self.warmupRatio = warmupRatio; self.gradientClip = gradientClip; self.seed = seed
        self.validateEvery = validateEvery; self.checkpointEvery = checkpointEvery
    }

    public func makeOptimizer(for model: GPTNeoX) -> AdamW {
        AdamW(layout: model.layout, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }
}

/// One optimizer step as `metrics.csv` records it.
public struct StepRecord: Equatable, Sendable {
    public var step: Int, epoch: Int, learningRate: Double, loss: Float, gradNorm: Double, tokens: Int

    public init(step: Int, epoch: Int, learningRate: Double, loss: Float, gradNorm: Double, tokens: Int) {
        self.step = step; self.epoch = epoch; self.learningRate = learningRate; self.loss = loss; self.gradNorm = gradNorm; self.tokens = tokens
    }
}

extension StepRecord: CSVRow {
    public static let columns = ["step", "epoch", "learning_rate", "loss", "grad_norm", "tokens"]
    /// Shortest round-trip forms, so an interrupted and resumed run writes the same bytes.
    public var fields: [String] { ["\(step)", "\(epoch)", "\(learningRate)", "\(loss)", "\(gradNorm)", "\(tokens)"] }
    public init(fields f: [Substring]) throws(RecordProblem) {
        let c = StepRecord.columns
        self.init(step: try CSV.number(f, 0, of: c), epoch: try CSV.number(f, 1, of: c), learningRate: try CSV.number(f, 2, of: c),
                  loss: try CSV.number(f, 3, of: c), gradNorm: try CSV.number(f, 4, of: c), tokens: try CSV.number(f, 5, of: c))
    }
}

/// A validation point of instruction tuning: the held-out loss, and the same measure (responses only) on a fixed
/// sample of training examples, so runs that trained on different positions compare.
public struct ValidationRecord: Equatable, Sendable {
    public var step: Int, loss: Float, trainResponseLoss: Float

    public init(step: Int, loss: Float, trainResponseLoss: Float) {
        self.step = step; self.loss = loss; self.trainResponseLoss = trainResponseLoss
    }
}

extension ValidationRecord: CSVRow {
    public static let columns = ["step", "loss", "train_response_loss"]
    public var fields: [String] { ["\(step)", "\(loss)", "\(trainResponseLoss)"] }
    public init(fields f: [Substring]) throws(RecordProblem) {
        let c = ValidationRecord.columns
        self.init(step: try CSV.number(f, 0, of: c), loss: try CSV.number(f, 1, of: c), trainResponseLoss: try CSV.number(f, 2, of: c))
    }
}

/// A run's time per step, kept apart from `metrics.csv` so that the metrics are byte-identical between runs.
public struct StepTiming: Sendable {
    public var step: Int, seconds: Double, tokensPerSecond: Double
}

extension StepTiming: CSVRow {
    public static let columns = ["step", "seconds", "tokens_per_second"]
    public var fields: [String] { ["\(step)", Format.fixed(seconds, 4), Format.fixed(tokensPerSecond, 1)] }
    public init(fields f: [Substring]) throws(RecordProblem) {
        let c = StepTiming.columns
        self.init(step: try CSV.number(f, 0, of: c), seconds: try CSV.number(f, 1, of: c), tokensPerSecond: try CSV.number(f, 2, of: c))
    }
}
