import Repro
import Tensor
import Plumbing
import Book

/// Greedy decoding speed of the course models, with the KV cache and by recomputing the whole sequence each step.
/// Random weights: the speed of a forward pass does not depend on what the weights are.
enum DecodeBench: BenchSection {
    static let name = "decode"

    static func run(options: BenchOptions) throws {
        let quick = options.quick
        let prompt = quick ? 64 : 128, newTokens = quick ? 32 : 96
        var table = Table(title: "Greedy decoding, prompt \(prompt) tokens + \(newTokens) new (course models, batch 1)",
                          columns: ["model", "parameters", "prompt pass (tokens/s)", "decode, KV cache (tokens/s)",
                                    "decode, recompute (tokens/s)", "speed-up"])
        for config in [Preset.course.models.small, Preset.course.models.large] {
            let model = GPTNeoX(config: config, seed: 1)
            let decoder = Decoder(model: model)
            var random = SeededRandom(seed: 2)
            let ids = (0..<prompt).map { _ in Int32(random.below(config.vocabSize)) }
            let prefill = bestSeconds(minimum: quick ? 0.1 : 0.5) { _ = try? decoder.start(ids) }
            func decode(cache: Bool) throws -> Double {
                decoder.useCache = cache
                var failure: Error?
                let seconds = bestSeconds(repeats: quick ? 1 : 3, minimum: 0) {
                    do { _ = try decoder.generate(prompt: ids, maxNewTokens: newTokens, stopTokens: []) } catch { failure = error }
                }
                if let failure { throw failure }
                return seconds
            }
            // Both include the prompt pass: subtract it to leave the decoding steps.
            let cached = try decode(cache: true) - prefill
            let recomputed = try decode(cache: false) - prefill
            table.add([config.name, Format.count(config.parameterCount), Format.fixed(Double(prompt) / prefill, 0),
                       Format.fixed(Double(newTokens) / cached, 0), Format.fixed(Double(newTokens) / recomputed, 0),
                       Format.fixed(recomputed / cached, 1) + "×"])
        }
        table.notes = ["Decode rates exclude the prompt pass. Without the cache step t runs all prompt + t positions again, so its cost grows with the length. Command: swift run -c release bench --only decode"]
        print(table.plainText)
    }
}
