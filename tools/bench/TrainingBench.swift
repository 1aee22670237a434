import ArgumentParser
import Foundation
import Repro
import Tensor
import Plumbing
import Book

/// Training throughput of the course models: forward + backward + clipping + AdamW, timed over a fixed number of steps
/// after a warm-up step, with a profile of where each step's time goes. Two workloads (`--workload`):
///   pretraining  packed sequences, every position a target, no padding (what the course's base models see);
///   instruction  chapter 04's shape: prompts masked, sequences right-padded to the longest of the micro-batch.
/// tools/pytorch_baseline.py takes the same flags and runs the same workload in PyTorch.
enum TrainingBench: BenchSection {
    static let name = "training"

    static func run(options: BenchOptions) throws {
        let models = try options.model.map { name in
            guard let config = [Preset.course.models.small, Preset.course.models.large].first(where: { $0.name == name })
            else { throw ValidationError("unknown model \(name) (course-small, course-large)") }
            return config
        }
        // The yardstick of the model's rate, measured in this same run (quickly, when `--only gemm` did not run).
        let gemmMean = options.skipGemmMean ? .nan
            : GEMMBench.lastMeanRate ?? { _ = GEMMBench.measure(quick: true); return GEMMBench.lastMeanRate! }()
        for workload in options.workload {
            for config in models {
                try measure(config, workload: try Workload(workload, batch: options.batch, length: options.length),
                            steps: options.quick ? 3 : options.steps, gemmMean: gemmMean)
            }
        }
        print("PyTorch on the same workload (CPU, eager, fp32): python3 tools/pytorch_baseline.py"
              + " --model \(options.model.joined(separator: " ")) --workload \(options.workload.joined(separator: " "))"
              + " --batch \(options.batch) --length \(options.length) --steps \(options.steps) --threads \(BLAS.threads)")
    }

    /// One micro-batch, the same every step (the speed of a step does not depend on which tokens it sees).
    struct Workload {
        var name: String
        var inputs: [Int32] = [], targets: [Int32] = []
        var batch: Int, length: Int
        var scored: Int { targets.filter { $0 != -100 }.count }

        /// The instruction shape, modelled on chapter 02's counts at course scale (82 tokens per example on average,
        /// 61% of positions in the prompt): these eight lengths average 82 and pad to 150; the first 61% of each
        /// sequence is its prompt. Fixed numbers, so that tools/pytorch_baseline.py builds the same batch.
        static let instructionLengths = [150, 58, 82, 66, 104, 47, 79, 70]
        static let promptShare = 0.61

        init(_ name: String, batch: Int, length: Int) throws {
            self.name = name
            var rng = SeededRandom(seed: 2)
            switch name {
            case "pretraining":
                (self.batch, self.length) = (batch, length)
                for _ in 0..<batch {
                    let row = (0...length).map { _ in Int32(rng.below(4000)) }
                    inputs += row.dropLast(); targets += row.dropFirst()
                }
            case "instruction":
                let lengths = Workload.instructionLengths
                (self.batch, self.length) = (lengths.count, lengths.max()!)
                for real in lengths {
                    let row = (0..<real).map { _ in Int32(rng.below(4000)) }
                    let prompt = Int((Double(real) * Workload.promptShare).rounded())
                    for t in 0..<self.length {
                        inputs.append(t < real ? row[t] : 0)
                        // The label of position t is token t + 1, counted only in the response.
                        targets.append(t + 1 < real && t + 1 >= prompt ? row[t + 1] : -100)
                    }
                }
            default:
                throw ValidationError("unknown workload \(name) (pretraining, instruction)")
            }
        }
    }

    static func measure(_ config: NeoXConfig, workload w: Workload, steps: Int, gemmMean: Double) throws {
        let memoryBefore = Memory.resetPeak()
        let model = GPTNeoX(config: config, seed: 1)
        let optimizer = AdamW(layout: model.layout)
        func step() throws {
            Profile.time("update", "zero gradients") { model.zeroGradients() }
            try model.forwardBackward(inputs: w.inputs, targets: w.targets, batch: w.batch, length: w.length)
            Profile.time("update", "clipping") { _ = clipGradients(model.gradients, maxNorm: 1.0) }
            Profile.time("update", "AdamW") {
                optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3)
            }
        }
        try step()   // warm-up: activation memory is allocated here, never again
        BLAS.resetProfile()
        Profile.reset()
        BLAS.profiling = true
        Profile.enabled = true
        let start = now(), cpuStart = Profile.processCPU()
        for _ in 0..<steps { try step() }
        let seconds = (now() - start) / Double(steps), cpuSeconds = (Profile.processCPU() - cpuStart) / Double(steps)
        Profile.enabled = false
        BLAS.profiling = false
        let gemm = BLAS.profile
        let peak = Memory.peak()

        let n = Double(config.parameterCount), embedding = Double(config.vocabSize * config.hiddenSize)
        // 6·N per token, plus attention's score and value products (2·T·d each per token per layer, forward; ×3 with
        // the backward pass; the full T×T square is computed). The input embedding is a lookup, not a product, so its
        // share of 6·N is FLOPs the step never does: both counts are shown, the second is the honest one.
        let attention = 12 * Double(config.numLayers) * Double(w.length) * Double(config.hiddenSize)
        let perToken = 6 * n + attention, perTokenDone = 6 * (n - embedding) + attention
        let tokens = Double(w.batch * w.length)
        let tokensPerSecond = tokens / seconds
        let rate = perToken * tokensPerSecond / 1e9, rateDone = perTokenDone * tokensPerSecond / 1e9
        // What a step needs by count: parameters, gradients and AdamW's two moments, and the activation buffer
        // (what backward reads, and its scratch), all fp32.
        let needed = 4 * (4 * n + Double(model.activationFloatCount))

        var table = Table(title: "Training step of \(config.name) (\(Format.count(config.parameterCount)) parameters), \(w.name): batch \(w.batch) × \(w.length), \(Format.count(w.scored)) positions scored",
                          columns: ["measure", "value"])
        table.add(["step time", Format.fixed(seconds * 1000, 1) + " ms"])
        table.add(["tokens/s (batch × length / step time)", Format.fixed(tokensPerSecond, 0)])
        table.add(["model FLOPs per token, 6·N + attention", Format.scaled(perToken, 1)])
        table.add(["achieved GFLOP/s at 6·N + attention", Format.fixed(rate, 1) + " (" + Format.percent(rate / gemmMean) + " of the gemm mean)"])
        table.add(["achieved GFLOP/s without the input embedding's share", Format.fixed(rateDone, 1) + " (" + Format.percent(rateDone / gemmMean) + " of the gemm mean)"])
        table.add(["bench's mean sgemm rate, same run (36 shapes at M = 512)", Format.fixed(gemmMean, 1)])
        table.add(["gemm calls per step", Format.count(gemm.calls / steps)])
        table.add(["gemm FLOPs per step / rate while in gemm (thread-time)", Format.scaled(gemm.flops / Double(steps), 2) + " / " + Format.fixed(gemm.flops / max(gemm.seconds, 1e-12) / 1e9, 1) + " GFLOP/s"])
        table.add(["CPU time / wall time (cores busy, of \(ProcessInfo.processInfo.activeProcessorCount))", Format.fixed(cpuSeconds / seconds, 2)])
        table.add(["peak resident memory of the process", Format.bytes(peak)])
        table.add(["  above the process before the model was made", Format.bytes(peak - memoryBefore) + " (" + Format.fixed((peak - memoryBefore) / needed, 2) + "× what the step needs by count, " + Format.bytes(needed) + ")"])
        table.notes = ["\(BLAS.threads) threads; \(BLAS.coreReport.line).",
                       "Attention's products cover only the keys each block of queries may see (10/16 of the square at 256 positions); the count above, like PyTorch's eager attention, is of the full square."]
        print(table.plainText)
        print(profileTable(steps: steps, stepSeconds: seconds).plainText)
    }

    /// Per step: the wall time of each part of the forward and backward passes and of the update, with how many
    /// cores were busy in it and the gemm rate inside it.
    static func profileTable(steps: Int, stepSeconds: Double) -> Table {
        var table = Table(title: "Where a step's time goes (per step; cores busy = process CPU time / wall time)",
                          columns: ["part", "forward ms", "backward ms", "update ms", "share of step", "cores busy", "gemm GFLOP/s"])
        let regions = Profile.regions
        var names: [String] = []
        for r in regions where !names.contains(r.name) { names.append(r.name) }
        let perStep = 1000 / Double(steps)
        var accounted = 0.0
        for name in names {
            let mine = regions.filter { $0.name == name }
            let whole = mine.filter { !$0.isPart }
            let wall = whole.reduce(0) { $0 + $1.wall }, cpu = whole.reduce(0) { $0 + $1.cpu }
            let flops = whole.reduce(0) { $0 + $1.gemmFlops }
            func ms(_ pass: String) -> String {
                guard let r = mine.first(where: { $0.pass == pass }) else { return "" }
                return Format.fixed(r.wall * perStep, 1) + (r.isPart ? " (thread)" : "")
            }
            if whole.isEmpty {   // a part measured inside a parallel loop: thread-time, not wall
                table.add(["  " + name, ms("forward"), ms("backward"), "", "", "", ""])
                continue
            }
            accounted += wall
            table.add([name, ms("forward"), ms("backward"), ms("update"), Format.percent(wall / Double(steps) / stepSeconds),
                       Format.fixed(cpu / max(wall, 1e-12), 2), flops > 0 ? Format.fixed(flops / wall / 1e9, 1) : ""])
        }
        let other = stepSeconds - accounted / Double(steps)
        table.add(["not in any part", "", "", "", Format.percent(other / stepSeconds), "", ""])
        table.notes = ["Parts marked (thread) run inside the part above them, on both cores at once: their time is summed over threads and is not a share of the wall time."]
        return table
    }
}

/// The process's resident memory from /proc/self/status, and its peak, which `resetPeak` sets back to the present.
enum Memory {
    /// Returns the resident memory now, in bytes, after giving freed memory back to the system.
    static func resetPeak() -> Double {
        // malloc_trim(0), which Swift's Glibc module does not declare.
        if let trim = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS")
    }

    static func peak() -> Double { field("VmHWM") }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kib = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? .nan
            return kib * 1024
        }
        return .nan
    }
}
