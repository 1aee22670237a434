import Foundation
import Repro
import Tensor
import Plumbing
import Book

/// Training throughput of the larger course model: forward + backward + clipping + AdamW on micro-batches of 8 × 256
/// tokens, every position a target (the heaviest case), timed over a fixed number of steps after a warm-up step.
enum TrainingBench: BenchSection {
    static let name = "training"

    static func run(quick: Bool) throws {
        for config in [Preset.course.models.large, Preset.course.models.small] {
            try measure(config, steps: quick ? 3 : 10)
        }
        print("PyTorch on the same model (CPU, eager, fp32, same threads): python3 tools/pytorch_baseline.py --steps 10")
    }

    static func measure(_ config: NeoXConfig, steps: Int) throws {
        let batch = 8, length = 256
        let model = GPTNeoX(config: config, seed: 1)
        let optimizer = AdamW(layout: model.layout)
        var rng = SeededRandom(seed: 2)
        let tokens = (0..<(batch * (length + 1))).map { _ in Int32(rng.below(config.vocabSize)) }
        var inputs: [Int32] = [], targets: [Int32] = []
        for b in 0..<batch {
            let row = tokens[(b * (length + 1))..<((b + 1) * (length + 1))]
            inputs += row.dropLast(); targets += row.dropFirst()
        }
        func step() throws {
            model.zeroGradients()
            try model.forwardBackward(inputs: inputs, targets: targets, batch: batch, length: length)
            clipGradients(model.gradients, maxNorm: 1.0)
            optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3)
        }
        try step()   // warm-up: activation memory is allocated here, never again
        BLAS.resetProfile()
        BLAS.profiling = true
        let start = now()
        for _ in 0..<steps { try step() }
        let seconds = (now() - start) / Double(steps)
        BLAS.profiling = false
        let profile = BLAS.profile
        let n = Double(config.parameterCount)
        // 6·N per token, plus attention's score and value products (2·T·d each per token per layer, forward;
        // ×3 with the backward pass; the full T×T square is computed).
        let attention = 12 * Double(config.numLayers) * Double(length) * Double(config.hiddenSize)
        let flopsPerToken = 6 * n + attention
        let tokensPerSecond = Double(batch * length) / seconds
        let blasSecondsPerStep = profile.seconds / Double(steps)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        var table = Table(title: "Training step of \(config.name) (\(Format.count(config.parameterCount)) parameters), batch \(batch) × \(length), all positions scored",
                          columns: ["measure", "value"])
        table.add(["step time", Format.fixed(seconds * 1000, 1) + " ms"])
        table.add(["tokens/s", Format.fixed(tokensPerSecond, 0)])
        table.add(["model FLOPs per token (6·N + attention)", Format.scaled(flopsPerToken, 1)])
        table.add(["achieved GFLOP/s (model FLOPs / time)", Format.fixed(flopsPerToken * tokensPerSecond / 1e9, 1)])
        table.add(["gemm calls per step", Format.count(profile.calls / steps)])
        table.add(["time in gemm calls (summed over calling threads)", Format.fixed(blasSecondsPerStep * 1000, 1) + " ms (" + Format.percent(blasSecondsPerStep / seconds) + " of the step)"])
        table.add(["gemm GFLOP/s while in gemm", Format.fixed(profile.flops / max(profile.seconds, 1e-12) / 1e9, 1)])
        table.add(["peak resident memory", Format.bytes(Double(usage.ru_maxrss) * 1024)])
        table.notes = ["Threads: OpenBLAS \(BLAS.threads); attention runs one (sequence, head) task per core with single-threaded BLAS inside, so gemm time summed over threads can exceed the step's wall time.",
                       "Compare the gemm rate with `bench --only gemm` (same shapes family) to see how much of BLAS's peak the small shapes of this model reach."]
        print(table.plainText)
    }
}
