// What instruction tuning trains on: a tokenized record with its loss mask, as chapter 02 writes it and chapter 04
// reads it (train.jsonl, validation.jsonl), and the KoAlpaca record it was made from (chapter 01's repaired.jsonl).
import Plumbing

/// The target that marks a position as not predicted (prompt tokens, padding): PyTorch's and Hugging Face's
/// ignore_index, −100. Defined beside the loss that skips it (`Layers.crossEntropyForward`).
public let ignoreIndex: Int32 = Layers.ignoreIndex

/// One training sequence. `labels` has the length of `inputIDs` and is *not* shifted (Hugging Face's convention: the
/// model predicts `labels[t + 1]` from positions ≤ t; the batches do the shift). Prompt positions hold `ignoreIndex`
/// when the prompt is masked, so the loss sees only the response and its end-of-text token.
public struct TrainingExample: Equatable, Sendable {
    /// Index of the record in chapter 01's repaired.jsonl.
    public var record: Int
    public var inputIDs: [Int32]
    public var labels: [Int32]
    /// Where the response starts: lets chapter 04 measure the loss on the response alone even when the prompt was
    /// trained on (the --no-prompt-mask ablation).
    public var promptTokens: Int

    public init(record: Int, inputIDs: [Int32], labels: [Int32], promptTokens: Int) {
        self.record = record; self.inputIDs = inputIDs; self.labels = labels; self.promptTokens = promptTokens
    }

    public var responseTokens: Int { inputIDs.count - promptTokens }

    /// The same sequence with every prompt position out of the loss: the response and its EOS only.
    public var responseOnly: TrainingExample {
        var labels = self.labels
        for t in 0..<min(promptTokens, labels.count) { labels[t] = ignoreIndex }
        return TrainingExample(record: record, inputIDs: inputIDs, labels: labels, promptTokens: promptTokens)
    }

    /// Token ids come from a file: every one must be an id of the model's vocabulary (labels may also be ignored).
    public func checkTokens(below vocabulary: Int) throws(RecordProblem) {
        for (key, ids, ignorable) in [("input_ids", inputIDs, false), ("labels", labels, true)] {
            if let bad = ids.first(where: { !(0..<Int32(vocabulary)).contains($0) && !(ignorable && $0 == ignoreIndex) }) {
                throw RecordProblem("\"\(key)\" holds \(bad), not a token id below \(vocabulary)\(ignorable ? " (or −100)" : "")")
            }
        }
    }
}

extension TrainingExample: JSONRecord {
    public var json: JSON {
        JSON(["record": .number(Double(record)),
              "input_ids": .array(inputIDs.map { .number(Double($0)) }),
              "labels": .array(labels.map { .number(Double($0)) }),
              "prompt_tokens": .number(Double(promptTokens))])
    }

    public init(json: JSON) throws(RecordProblem) {
        let ids = try json.ints("input_ids"), labels = try json.ints("labels")
        guard ids.count == labels.count, ids.count >= 2 else {
            throw RecordProblem("input_ids and labels must have the same length ≥ 2 (\(ids.count) and \(labels.count))")
        }
        func id32(_ key: String, _ values: [Int]) throws(RecordProblem) -> [Int32] {
            guard let bad = values.first(where: { $0 < Int(Int32.min) || $0 > Int(Int32.max) }) else { return values.map { Int32($0) } }
            throw RecordProblem("\"\(key)\" holds \(bad), not a token id")
        }
        let prompt = try json.int("prompt_tokens")
        guard (0..<ids.count).contains(prompt) else {
            throw RecordProblem("\"prompt_tokens\" holds \(prompt), not a count below the sequence length \(ids.count)")
        }
        self.init(record: try json.int("record"), inputIDs: try id32("input_ids", ids), labels: try id32("labels", labels),
                  promptTokens: prompt)
    }
}

extension InstructionRecord: JSONRecord {
    /// KoAlpaca's own layout, field for field and in its order.
    public var json: JSON {
        .object(JSONObject([("instruction", .string(instruction)), ("input", .string(input)), ("output", .string(output))]))
    }

    public init(json: JSON) throws(RecordProblem) {
        guard let instruction = json["instruction"]?.string, let input = json["input"]?.string, let output = json["output"]?.string else {
            throw RecordProblem("expected string fields instruction, input, output")
        }
        self.init(instruction: instruction, input: input, output: output)
    }
}
