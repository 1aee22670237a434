// The training loop of the paper's recipe, for fine-tuning and pretraining alike: AdamW, linear warmup then cosine
// decay, clipping by global norm, gradients accumulated over micro-batches; validation and a checkpoint at fixed
// steps; resuming from the last checkpoint to the same bytes as an uninterrupted run.
//
// It writes into `directory`: metrics.csv (every step), validation.csv (every validation point), timing.csv (wall
// time per step, apart so the others stay byte-identical between runs) and checkpoints/ (see TrainingCheckpoints).
import Foundation
import Plumbing

/// What a run did: its steps, its validation points, the tokens read, and whether it reached its last step.
public struct TrainingLog<Validation> {
    public var steps: [StepRecord] = []
    public var validation: [Validation] = []
    public var tokensSeen = 0
    public var seconds = 0.0
    public var finished = false
    /// The step a resumed run continued after (nil: it started at step 0).
    public var resumedAfter: Int?

    /// Mean training loss over the last 5% of steps: a less noisy "final" loss than the last step's.
    public var finalTrainLoss: Double {
        let tail = steps.suffix(max(1, steps.count / 20))
        return tail.reduce(0.0) { $0 + Double($1.loss) } / Double(max(tail.count, 1))
    }
}

public final class Trainer<Validation: CSVRow> {
    public let model: GPTNeoX
    public let optimizer: AdamW
    public let recipe: Recipe
    public let peakLearningRate: Double
    public let batches: BatchSource
    public let directory: String
    /// The run's name in its checkpoints (a cell of the grid, a base model).
    public let name: String
    /// Measures the model at a validation point (the step just done is given).
    let validate: (GPTNeoX, Int) throws -> Validation
    /// Called after every step, with the validation point when there was one (for progress lines).
    public var onStep: ((StepRecord, Validation?) -> Void)?

    public init(model: GPTNeoX, recipe: Recipe, peakLearningRate: Double, batches: BatchSource, directory: String,
                name: String, validate: @escaping (GPTNeoX, Int) throws -> Validation) {
        self.model = model; self.recipe = recipe; self.peakLearningRate = peakLearningRate; self.batches = batches
        self.directory = directory; self.name = name; self.validate = validate
        optimizer = recipe.makeOptimizer(for: model)
    }

    var totalSteps: Int { batches.totalSteps }
    var warmup: Int { warmupSteps(ratio: recipe.warmupRatio, totalSteps: totalSteps) }
    var checkpoints: TrainingCheckpoints { TrainingCheckpoints(directory: directory + "/checkpoints") }

    /// Everything that decides the numbers of this run besides the data's order: a checkpoint records it, and a
    /// resume continues only a checkpoint made with the same.
    public var identity: TrainingCheckpoints.Identity {
        let r = recipe
        return .init(run: name, recipe: "learning rate \(peakLearningRate), \(model.config.name), seed \(r.seed), \(totalSteps) steps, "
            + "batch \(r.batchSize) in micro-batches of \(r.microBatchSize), warmup \(r.warmupRatio), clipping \(r.gradientClip), "
            + "AdamW (\(r.beta1), \(r.beta2), \(r.eps), weight decay \(r.weightDecay)), \(batches.signature)")
    }

    /// Train from step 0 (discarding older checkpoints), or with `resume` from the last checkpoint when there is one;
    /// with `stopAfter`, stop once that many steps are done, with a checkpoint.
    public func run(resume: Bool, stopAfter: Int?) throws -> TrainingLog<Validation> {
        var log = try start(resume: resume)
        var timing: [StepTiming] = []
        let clock = Date()
        var step = log.steps.count
        while step < totalSteps {
            let stepStart = Date()
            let record = try optimizerStep(step)
            step += 1
            let seconds = Date().timeIntervalSince(stepStart)
            timing.append(StepTiming(step: step, seconds: seconds, tokensPerSecond: Double(record.tokens) / seconds))
            log.steps.append(record)
            log.tokensSeen += record.tokens
            guard record.loss.isFinite else {
                throw ModelError("\(name): the loss became \(record.loss) at step \(step) (learning rate \(record.learningRate)); lower the learning rate")
            }
            var point: Validation?
            if step % recipe.validateEvery == 0 || step == totalSteps {
                point = try validate(model, step)
                log.validation.append(point!)
            }
            onStep?(record, point)
            let stopping = stopAfter.map { step >= $0 } ?? false
            if step % recipe.checkpointEvery == 0 || step == totalSteps || stopping {
                try checkpoints.save(model, optimizer, step: step, identity: identity, logs: logFiles(log))
            }
            if stopping && step < totalSteps { break }
        }
        log.finished = step == totalSteps
        log.seconds = Date().timeIntervalSince(clock)
        for (file, text) in logFiles(log) { try FileIO.writeAtomically(directory + "/" + file, text: text) }
        try FileIO.writeAtomically(directory + "/timing.csv", text: CSV.text(timing))
        return log
    }

    /// One optimizer step: accumulate the gradient of the batch's mean loss over its micro-batches, clip it, take the
    /// learning rate of the schedule, and update. The loss of a step is the mean over every counted token of the
    /// batch, however it is split: each micro-batch's summed loss is divided by the whole batch's count.
    func optimizerStep(_ step: Int) throws -> StepRecord {
        let batch = batches.batch(step: step)
        let counted = max(batch.microBatches.reduce(0) { $0 + $1.countedTokens }, 1)
        model.zeroGradients()
        var lossSum = 0.0
        for mb in batch.microBatches {
            let (loss, n) = try model.forwardBackward(inputs: mb.inputs, targets: mb.targets, batch: mb.batch,
                                                      length: mb.length, lossDivisor: counted)
            lossSum += Double(loss) * Double(n)
        }
        let gradNorm = clipGradients(model.gradients, maxNorm: recipe.gradientClip)
        let lr = cosineLearningRate(step: step, totalSteps: totalSteps, warmupSteps: warmup, peak: peakLearningRate)
        optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: lr)
        return StepRecord(step: step + 1, epoch: batch.epoch + 1, learningRate: lr, loss: Float(lossSum / Double(counted)),
                          gradNorm: gradNorm, tokens: batch.tokens)
    }

    /// A fresh log (older checkpoints discarded), or the log of the checkpoint a resume continues.
    func start(resume: Bool) throws -> TrainingLog<Validation> {
        guard resume else { checkpoints.discardAll(); return TrainingLog() }
        guard let (folder, done) = try checkpoints.resume(into: model, optimizer, identity: identity, totalSteps: totalSteps) else {
            return TrainingLog()
        }
        var log = TrainingLog<Validation>()
        log.steps = try CSV.read(StepRecord.self, from: folder + "/metrics.csv")
        log.validation = try CSV.read(Validation.self, from: folder + "/validation.csv")
        guard log.steps.count == done else {
            throw ModelError("\(folder)/metrics.csv holds \(log.steps.count) steps, the checkpoint \(done)")
        }
        log.tokensSeen = log.steps.reduce(0) { $0 + $1.tokens }
        log.resumedAfter = done
        return log
    }

    func logFiles(_ log: TrainingLog<Validation>) -> [(String, String)] {
        [("metrics.csv", CSV.text(log.steps)), ("validation.csv", CSV.text(log.validation))]
    }
}

/// Mean loss over every counted token of `batches`, forward only (NaN when no position counts).
public func meanLoss(_ model: GPTNeoX, _ batches: [MicroBatch]) throws -> Float {
    var sum = 0.0, count = 0
    for mb in batches {
        let (loss, n) = try model.loss(inputs: mb.inputs, targets: mb.targets, batch: mb.batch, length: mb.length)
        sum += Double(loss) * Double(n)
        count += n
    }
    return count > 0 ? Float(sum / Double(count)) : .nan
}

/// Mean loss over every counted token of `examples`, forward only, in micro-batches of `microBatch`.
public func meanLoss(_ model: GPTNeoX, _ examples: [TrainingExample], microBatch: Int) throws -> Float {
    try meanLoss(model, microBatches(Array(examples.indices), examples: examples, size: microBatch))
}

/// A model's loss on a whole token stream (held-out articles): every id after the first predicted once, in windows of
/// the context length batched `microBatch` at a time; per token, per character and per Hangul syllable.
public func crossEntropy(_ model: GPTNeoX, on stream: TokenStream, contextLength: Int, microBatch: Int) throws -> CrossEntropy {
    let windows = stream.evaluationWindows(contextLength: contextLength)
    var nats = 0.0
    var start = 0
    while start < windows.count {
        // Windows of one length go together (all but possibly the last are full).
        var end = start
        while end < windows.count && end - start < microBatch && windows[end].count == windows[start].count { end += 1 }
        let length = windows[start].count - 1
        var inputs: [Int32] = [], targets: [Int32] = []
        for w in windows[start..<end] {
            inputs += stream.ids[w.lowerBound..<(w.upperBound - 1)]
            targets += stream.ids[(w.lowerBound + 1)..<w.upperBound]
        }
        let (loss, n) = try model.loss(inputs: inputs, targets: targets, batch: end - start, length: length)
        nats += Double(loss) * Double(n)
        start = end
    }
    return CrossEntropy(nats: nats, stream: stream)
}
