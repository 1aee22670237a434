// From examples to what the model reads: micro-batches, and the batches of every optimizer step in a seeded order
// that can be rebuilt from the step number alone (which is what makes resuming exact).
import Plumbing

/// A micro-batch ready for the model: `batch` sequences right-padded to `length`. Inputs are the ids without their
/// last token, targets the labels without their first — the shift that turns "label at t" into "predict at t − 1".
/// Padding positions get token 0 and target −100, so they never reach the loss (and, coming last, never reach a real
/// token through the causal mask).
public struct MicroBatch: Sendable {
    public var inputs: [Int32]
    public var targets: [Int32]
    public var batch: Int
    public var length: Int
    public var countedTokens: Int { targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) } }

    public init(inputs: [Int32], targets: [Int32], batch: Int, length: Int) {
        self.inputs = inputs; self.targets = targets; self.batch = batch; self.length = length
    }
}

public func makeMicroBatch(_ examples: [TrainingExample]) -> MicroBatch {
    let length = examples.map { $0.inputIDs.count - 1 }.max() ?? 1
    var inputs = [Int32](repeating: 0, count: examples.count * length)
    var targets = [Int32](repeating: ignoreIndex, count: examples.count * length)
    for (b, e) in examples.enumerated() {
        for t in 0..<(e.inputIDs.count - 1) {
            inputs[b * length + t] = e.inputIDs[t]
            targets[b * length + t] = e.labels[t + 1]
        }
    }
    return MicroBatch(inputs: inputs, targets: targets, batch: examples.count, length: length)
}

/// The order of the training examples in one epoch: a shuffle seeded by (seed, epoch), so any step's batch can be
/// rebuilt from the step number alone.
public func epochOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
    var order = Array(0..<count)
    var rng = SeededRandom(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
    rng.shuffle(&order)
    return order
}

/// The examples of optimizer step `step` (0-based): each epoch is cut into batches of `batchSize` in epoch order; the
/// last batch of an epoch may be smaller.
public func batchIndices(step: Int, count: Int, batchSize: Int, seed: UInt64) -> (epoch: Int, indices: [Int]) {
    let perEpoch = (count + batchSize - 1) / batchSize
    let epoch = step / perEpoch, within = step % perEpoch
    let order = epochOrder(count: count, seed: seed, epoch: epoch)
    return (epoch, Array(order[(within * batchSize)..<min(count, (within + 1) * batchSize)]))
}

/// Split a batch into micro-batches of at most `size`. Sorting by length first would pad less, but would change
/// which sequences share a micro-batch; with the loss divided by the whole batch's token count the result is the
/// same either way, so we keep the epoch order for clarity.
public func microBatches(_ indices: [Int], examples: [TrainingExample], size: Int) -> [MicroBatch] {
    stride(from: 0, to: indices.count, by: size).map { start in
        makeMicroBatch(indices[start..<min(indices.count, start + size)].map { examples[$0] })
    }
}

// MARK: - What a training loop reads

/// The data of one optimizer step.
public struct TrainingBatch {
    public var epoch: Int                 // 0-based
    public var microBatches: [MicroBatch]
    /// Positions the model reads (padding excluded), for the tokens-seen count.
    public var tokens: Int
}

/// Where a training loop's batches come from: instruction-tuning examples in shuffled epochs, or packed pretraining
/// sequences. Step `s`'s batch must depend on `s` alone, so that a resumed run reads exactly what an uninterrupted one
/// would.
public protocol BatchSource {
    var totalSteps: Int { get }
    func batch(step: Int) -> TrainingBatch
    /// The data, named exactly (count and checksum): a checkpoint records it, and resuming requires the same.
    var signature: String { get }
}

/// Instruction-tuning examples, `epochs` times, each epoch in its own seeded order, in batches of `batchSize` split
/// into micro-batches of `microBatchSize`.
public struct ExampleBatches: BatchSource {
    public let examples: [TrainingExample]
    public let epochs: Int, batchSize: Int, microBatchSize: Int, seed: UInt64

    public init(_ examples: [TrainingExample], epochs: Int, batchSize: Int, microBatchSize: Int, seed: UInt64) {
        precondition(batchSize >= 1 && microBatchSize >= 1 && epochs >= 1, "batches need positive sizes (the chapters check their options)")
        self.examples = examples; self.epochs = epochs; self.batchSize = batchSize
        self.microBatchSize = microBatchSize; self.seed = seed
    }

    public var stepsPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }
    public var totalSteps: Int { epochs * stepsPerEpoch }

    public func batch(step: Int) -> TrainingBatch {
        let (epoch, indices) = batchIndices(step: step, count: examples.count, batchSize: batchSize, seed: seed)
        return TrainingBatch(epoch: epoch, microBatches: microBatches(indices, examples: examples, size: microBatchSize),
                             tokens: indices.reduce(0) { $0 + examples[$1].inputIDs.count - 1 })
    }

    public var signature: String {
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a over every id and label, in order
        for example in examples {
            for v in example.inputIDs + example.labels { checksum = (checksum ^ UInt64(UInt32(bitPattern: v))) &* 0x100_0000_01B3 }
        }
        return "\(examples.count) examples with checksum \(String(checksum, radix: 16))"
    }
}

/// Pretraining's packed sequences (every position a target, no padding), `batchSize` of them per optimizer step in
/// micro-batches of `microBatchSize`, for `totalSteps` steps: the epochs follow from the token budget.
public struct PackedBatches: BatchSource {
    public let sequences: PackedSequences
    public let batchSize: Int, microBatchSize: Int, seed: UInt64
    public let totalSteps: Int

    /// Enough steps to train on `tokens` positions (the last step may pass it by less than one batch).
    public init(_ sequences: PackedSequences, tokens: Int, batchSize: Int, microBatchSize: Int, seed: UInt64) {
        precondition(batchSize >= 1 && microBatchSize >= 1, "batches need positive sizes (the chapters check their options)")
        self.sequences = sequences; self.batchSize = batchSize; self.microBatchSize = microBatchSize; self.seed = seed
        let perStep = batchSize * sequences.contextLength
        totalSteps = max(1, (tokens + perStep - 1) / perStep)
    }

    public var tokensPerStep: Int { batchSize * sequences.contextLength }

    public func batch(step: Int) -> TrainingBatch {
        let b = sequences.batch(step: step, batchSize: batchSize, seed: seed)
        let t = b.length
        let micro = stride(from: 0, to: b.batch, by: microBatchSize).map { start -> MicroBatch in
            let n = min(microBatchSize, b.batch - start)
            return MicroBatch(inputs: Array(b.inputs[(start * t)..<((start + n) * t)]),
                              targets: Array(b.targets[(start * t)..<((start + n) * t)]), batch: n, length: t)
        }
        return TrainingBatch(epoch: b.epoch, microBatches: micro, tokens: b.batch * t)
    }

    public var signature: String {
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a over the stream, in order
        for v in sequences.stream.ids { checksum = (checksum ^ UInt64(UInt32(bitPattern: v))) &* 0x100_0000_01B3 }
        return "\(sequences.count) packed sequences of \(sequences.contextLength) with checksum \(String(checksum, radix: 16))"
    }
}
