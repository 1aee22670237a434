import ArgumentParser
import Foundation
import Plumbing
import Repro
import Tensor

/// `inspect logits --checkpoint DIR --ids 1,2,3 --out FILE.safetensors`: the model's logits for one token sequence,
/// [T, vocab] as tensor "logits" (F32), so anyone can compare with another implementation (e.g. transformers).
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Write a checkpoint's logits for a token sequence.")

    @Option(help: "A Hugging Face style model directory (config.json + model.safetensors).")
    var checkpoint: String

    @Option(parsing: .unconditional, help: "Comma-separated token ids, e.g. 1,2,3.")
    var ids: String

    @Option(help: "Where to write the logits (.safetensors).")
    var out: String

    /// The ids, every one a number from 0: an empty entry (`1,,2`) is an error, not skipped.
    var tokens: [Int32] {
        get throws {
            guard !ids.isEmpty else { throw ValidationError("--ids is empty") }
            return try ids.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, part in
                guard let v = Int32(part.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                    throw ValidationError("--ids \(ids): entry \(index + 1), \"\(escaped(part))\", is not a token id (a whole number from 0)")
                }
                return v
            }
        }
    }

    func validate() throws { _ = try tokens }

    func run() throws {
        let tokens = try self.tokens
        let model = try Checkpoint.loadModel(from: checkpoint)
        if let bad = tokens.first(where: { Int($0) >= model.config.vocabSize }) {
            throw ValidationError("--ids: \(bad) is not below the model's vocabulary of \(model.config.vocabSize)")
        }
        let logits = try model.logits(inputs: tokens, batch: 1, length: tokens.count)
        try Safetensors.write([("logits", logits.reshaped([tokens.count, model.config.vocabSize]))], metadata: ["checkpoint": checkpoint, "ids": ids], to: out)
        print("wrote \(out): logits [\(tokens.count), \(model.config.vocabSize)]")
    }
}
