import ArgumentParser
import Repro
import Tensor

/// `inspect logits --checkpoint DIR --ids 1,2,3 --out FILE.safetensors`: the model's logits for one token sequence,
/// [T, vocab] as tensor "logits" (F32), so anyone can compare with another implementation (e.g. transformers).
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "Write a checkpoint's logits for a token sequence.")

    @Option(help: "A Hugging Face style model directory (config.json + model.safetensors).")
    var checkpoint: String

    @Option(help: "Comma-separated token ids, e.g. 1,2,3.")
    var ids: String

    @Option(help: "Where to write the logits (.safetensors).")
    var out: String

    func run() throws {
        let tokens = try ids.split(separator: ",").map { part -> Int32 in
            guard let v = Int32(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--ids: \"\(part)\" is not a token id") }
            return v
        }
        guard !tokens.isEmpty else { throw ValidationError("--ids is empty") }
        let model = try Checkpoint.loadModel(from: checkpoint)
        let logits = try model.logits(inputs: tokens, batch: 1, length: tokens.count)
        try Safetensors.write([("logits", logits.reshaped([tokens.count, model.config.vocabSize]))], metadata: ["checkpoint": checkpoint, "ids": ids], to: out)
        print("wrote \(out): logits [\(tokens.count), \(model.config.vocabSize)]")
    }
}

import Foundation
import Plumbing
