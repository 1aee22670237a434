import Repro
import Tensor
import Plumbing

// MARK: - Examples from chapter 02

/// One tokenized record: ids and unshifted labels (−100 where the loss must not look), as chapter 02 wrote them.
struct Example {
    var inputIDs: [Int32]
    var labels: [Int32]
    /// Where the response starts (chapter 02 writes it; nil in files without it). Lets chapter 04 measure the loss on
    /// the response alone even when the prompt was trained on (the --no-prompt-mask ablation).
    var promptTokens: Int? = nil

    /// The same sequence with every prompt position out of the loss: the response and its EOS only.
    var responseOnly: Example {
        guard let promptTokens else { return self }
        var labels = self.labels
        for t in 0..<min(promptTokens, labels.count) { labels[t] = ignoreIndex }
        return Example(inputIDs: inputIDs, labels: labels, promptTokens: promptTokens)
    }
}

let ignoreIndex: Int32 = -100

func readExamples(_ path: String, vocabularySize: Int) throws -> [Example] {
    try Records.readJSONLines(path).enumerated().map { index, json in
        func ids(_ key: String) throws -> [Int32] {
            guard let array = json[key]?.array else {
                throw RecordError(file: path, record: index, line: index + 1, problem: "missing array \"\(key)\"")
            }
            return try array.map { value in
                guard let v = value.int, v == -100 || (0..<vocabularySize).contains(v) else {
                    throw RecordError(file: path, record: index, line: index + 1,
                                      problem: "\"\(key)\" holds \(value.serialized()), not a token id below \(vocabularySize) (or −100)")
                }
                return Int32(v)
            }
        }
        var example = Example(inputIDs: try ids("input_ids"), labels: try ids("labels"))
        guard example.inputIDs.count == example.labels.count, example.inputIDs.count >= 2 else {
            throw RecordError(file: path, record: index, line: index + 1, problem: "input_ids and labels must have the same length ≥ 2")
        }
        if let value = json["prompt_tokens"] {
            guard let n = value.int, (0..<example.inputIDs.count).contains(n) else {
                throw RecordError(file: path, record: index, line: index + 1,
                                  problem: "\"prompt_tokens\" holds \(value.serialized()), not a count below the sequence length \(example.inputIDs.count)")
            }
            example.promptTokens = n
        }
        return example
    }
}

// MARK: - Batches

/// A micro-batch ready for the model: `batch` sequences right-padded to `length`. Inputs are the ids without their
/// last token, targets the labels without their first — the shift that turns "label at t" into "predict at t − 1".
/// Padding positions get token 0 and target −100, so they never reach the loss (and, coming last, never reach a real
/// token through the causal mask).
struct MicroBatch {
    var inputs: [Int32]
    var targets: [Int32]
    var batch: Int
    var length: Int
    var countedTokens: Int { targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) } }
}

func makeMicroBatch(_ examples: [Example]) -> MicroBatch {
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
/// rebuilt from the step number alone — which is what makes resuming exact.
func epochOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
    var order = Array(0..<count)
    var rng = SeededRandom(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
    rng.shuffle(&order)
    return order
}

/// The examples of optimizer step `step` (0-based): each epoch is cut into batches of `batchSize` in epoch order; the
/// last batch of an epoch may be smaller.
func batchIndices(step: Int, count: Int, batchSize: Int, seed: UInt64) -> (epoch: Int, indices: [Int]) {
    let perEpoch = (count + batchSize - 1) / batchSize
    let epoch = step / perEpoch, within = step % perEpoch
    let order = epochOrder(count: count, seed: seed, epoch: epoch)
    return (epoch, Array(order[(within * batchSize)..<min(count, (within + 1) * batchSize)]))
}

/// Split a batch into micro-batches of at most `size`. Sorting by length first would pad less, but would change
/// which sequences share a micro-batch; with the loss divided by the whole batch's token count the result is the
/// same either way, so we keep the epoch order for clarity.
func microBatches(_ indices: [Int], examples: [Example], size: Int) -> [MicroBatch] {
    stride(from: 0, to: indices.count, by: size).map { start in
        makeMicroBatch(indices[start..<min(indices.count, start + size)].map { examples[$0] })
    }
}
