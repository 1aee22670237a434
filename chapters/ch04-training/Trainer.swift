import Foundation
import Repro
import Tensor
import Plumbing
import Book

// MARK: - The recipe

/// Every hyperparameter of one training run, visible in one place (the paper's values are the defaults of the preset).
struct Recipe {
    var epochs: Int
    var batchSize: Int              // sequences per optimizer step (the paper: 32)
    var microBatchSize: Int         // sequences per forward/backward
    var warmupRatio: Double         // linear warmup over this share of the steps, then cosine decay to 0
    var gradientClip: Double        // global-norm clipping (the paper: 1.0)
    var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0   // HF Trainer defaults
    var seed: UInt64
    var validateEvery: Int          // optimizer steps between validation losses (and one at the end)
    var checkpointEvery: Int        // optimizer steps between checkpoints (and one at the end)

    func totalSteps(examples: Int) -> Int { epochs * ((examples + batchSize - 1) / batchSize) }
}

/// One cell of the grid: a model size and a learning rate.
struct Cell {
    var id: String                  // e.g. "large-low": the folder name under cells/
    var size: String                // "small" / "large"
    var rate: String                // "high" / "low"
    var config: NeoXConfig
    var learningRate: Double
    var label: String { "\(config.name), lr \(Format.scientific(learningRate, 2))" }
}

struct StepRecord {
    var step: Int, epoch: Int, learningRate: Double, loss: Float, gradNorm: Double, tokens: Int
    /// Deterministic text (shortest round-trip forms), so an interrupted and resumed run writes the same bytes.
    var csv: String { "\(step),\(epoch),\(learningRate),\(loss),\(gradNorm),\(tokens)" }
    static let header = "step,epoch,learning_rate,loss,grad_norm,tokens"

    init(step: Int, epoch: Int, learningRate: Double, loss: Float, gradNorm: Double, tokens: Int) {
        self.step = step; self.epoch = epoch; self.learningRate = learningRate; self.loss = loss; self.gradNorm = gradNorm; self.tokens = tokens
    }

    init?(csv line: Substring) {
        let f = line.split(separator: ",")
        guard f.count == 6, let s = Int(f[0]), let e = Int(f[1]), let lr = Double(f[2]), let l = Float(f[3]),
              let g = Double(f[4]), let t = Int(f[5]) else { return nil }
        self.init(step: s, epoch: e, learningRate: lr, loss: l, gradNorm: g, tokens: t)
    }
}

/// A validation point: the held-out loss, and the loss on the responses of a fixed sample of training examples (the
/// same measure as the validation loss, so runs that trained on different positions compare).
struct ValidationRecord {
    var step: Int, loss: Float, trainResponseLoss: Float
    var csv: String { "\(step),\(loss),\(trainResponseLoss)" }
    static let header = "step,loss,train_response_loss"

    init(step: Int, loss: Float, trainResponseLoss: Float) { self.step = step; self.loss = loss; self.trainResponseLoss = trainResponseLoss }

    init?(csv line: Substring) {
        let f = line.split(separator: ",")
        guard f.count == 3, let s = Int(f[0]), let l = Float(f[1]), let t = Float(f[2]) else { return nil }
        self.init(step: s, loss: l, trainResponseLoss: t)
    }
}

struct CellResult {
    var cell: Cell
    var steps: [StepRecord]
    var validation: [ValidationRecord]
    var tokensSeen: Int
    var trainSeconds: Double
    var finished: Bool

    /// Mean training loss over the last 5% of steps: a less noisy "final" loss than the last step's.
    var finalTrainLoss: Double {
        let tail = steps.suffix(max(1, steps.count / 20))
        return tail.reduce(0.0) { $0 + Double($1.loss) } / Double(max(tail.count, 1))
    }

    /// What later chapters need to know of this cell (grid.json): deterministic, so no wall times.
    var summaryJSON: JSON {
        JSON(["id": .string(cell.id), "size": .string(cell.size), "rate": .string(cell.rate), "model": .string(cell.config.name),
              "parameters": .number(Double(cell.config.parameterCount)), "learning_rate": .number(cell.learningRate),
              "steps": .number(Double(steps.count)), "tokens_seen": .number(Double(tokensSeen)),
              "final_train_loss": .number(finalTrainLoss),
              "final_validation_loss": validation.last.map { .number(Double($0.loss)) } ?? .null,
              "final_train_response_loss": validation.last.map { .number(Double($0.trainResponseLoss)) } ?? .null])
    }
}

// MARK: - Training one cell

/// Trains one cell from its first step (or from its last checkpoint with `resume`), writing into `directory`:
///   checkpoints/step-NNNNNN/  model.safetensors, config.json, trainer_state.safetensors, metrics.csv, validation.csv
///   checkpoints/latest        the name of the newest complete checkpoint (written last, atomically)
///   model/                    the final model, Hugging Face layout, with the tokenizer, for chapter 05
///   metrics.csv, validation.csv, timing.csv
final class CellTrainer {
    let cell: Cell
    let recipe: Recipe
    let training: [Example]
    let validation: [Example]
    let directory: String
    let tokenizerPath: String

    init(cell: Cell, recipe: Recipe, training: [Example], validation: [Example], directory: String, tokenizerPath: String) {
        self.cell = cell; self.recipe = recipe; self.training = training; self.validation = validation
        self.directory = directory; self.tokenizerPath = tokenizerPath
    }

    var checkpoints: String { directory + "/checkpoints" }

    /// - Parameters:
    ///   - initFrom: a checkpoint directory (Hugging Face layout) to start from instead of random weights.
    ///   - resume: continue from `checkpoints/latest` when it exists.
    ///   - stopAfter: stop (with a checkpoint) once this many optimizer steps are done: for tests of resuming.
    func run(initFrom: String?, resume: Bool, stopAfter: Int?) throws -> CellResult {
        let totalSteps = recipe.totalSteps(examples: training.count)
        let warmup = warmupSteps(ratio: recipe.warmupRatio, totalSteps: totalSteps)
        let model: GPTNeoX
        if let initFrom {
            model = try Checkpoint.loadModel(from: initFrom)
            guard model.config.vocabSize >= cell.config.vocabSize else {
                throw ModelError("\(initFrom): its vocabulary (\(model.config.vocabSize)) is smaller than the tokenizer's (\(cell.config.vocabSize))")
            }
        } else {
            model = GPTNeoX(config: cell.config, seed: recipe.seed)
        }
        let optimizer = AdamW(layout: model.layout, beta1: recipe.beta1, beta2: recipe.beta2, eps: recipe.eps,
                              weightDecay: recipe.weightDecay)
        var steps: [StepRecord] = []
        var validationLosses: [ValidationRecord] = []
        var timing: [String] = []
        var start = 0
        if !resume {
            // Starting over: an older run's checkpoints must not be there for a later --resume to continue (this run
            // could be killed before its first checkpoint). `latest` goes first, so no moment has it naming a folder
            // that is half deleted.
            unlink(checkpoints + "/latest")
            try? FileManager.default.removeItem(atPath: checkpoints)
        } else if let latest = try? String(decoding: FileIO.read(checkpoints + "/latest"), as: UTF8.self) {
            let name = latest.trimmingCharacters(in: .whitespacesAndNewlines)
            let dir = checkpoints + "/" + name
            try Checkpoint.loadParameters(into: model, from: dir + "/" + Checkpoint.modelFile)
            let meta = try Checkpoint.loadTrainerState(into: optimizer, from: dir)
            guard let done = meta["step"].flatMap(Int.init), (0...totalSteps).contains(done), meta["cell"] == cell.id else {
                throw ModelError("\(dir): not a checkpoint of cell \(cell.id) within its \(totalSteps) steps")
            }
            // Continuing with other settings would mix two runs into one that neither describes.
            guard meta["recipe"] == recipeDescription else {
                throw ModelError("\(dir) was made with \(meta["recipe"] ?? "unrecorded settings"); this run has \(recipeDescription). "
                                 + "Run without --resume to start over.")
            }
            start = done
            removeCheckpoints(except: name)     // what a killed run left beside it
            steps = try String(decoding: FileIO.read(dir + "/metrics.csv"), as: UTF8.self)
                .split(separator: "\n").dropFirst().map { line in
                    guard let r = StepRecord(csv: line) else { throw ModelError("\(dir)/metrics.csv: bad line \(line)") }
                    return r
                }
            validationLosses = try String(decoding: FileIO.read(dir + "/validation.csv"), as: UTF8.self)
                .split(separator: "\n").dropFirst().map { line in
                    guard let r = ValidationRecord(csv: line) else { throw ModelError("\(dir)/validation.csv: bad line \(line)") }
                    return r
                }
            print("\(cell.id): resuming after step \(start) of \(totalSteps) from \(dir)")
        }

        let progress = Progress(cell.label, total: totalSteps, unit: "steps")
        let clock = Date()
        var tokensSeen = steps.reduce(0) { $0 + $1.tokens }
        var step = start
        while step < totalSteps {
            // MARK: one optimizer step: accumulate over micro-batches, clip, schedule, update
            let stepStart = Date()
            let (epoch, indices) = batchIndices(step: step, count: training.count, batchSize: recipe.batchSize, seed: recipe.seed)
            let micro = microBatches(indices, examples: training, size: recipe.microBatchSize)
            let counted = micro.reduce(0) { $0 + $1.countedTokens }
            model.zeroGradients()
            var lossSum = 0.0
            for mb in micro {
                let (loss, n) = try model.forwardBackward(inputs: mb.inputs, targets: mb.targets, batch: mb.batch,
                                                          length: mb.length, lossDivisor: max(counted, 1))
                lossSum += Double(loss) * Double(n)
            }
            let gradNorm = clipGradients(model.gradients, maxNorm: recipe.gradientClip)
            let lr = cosineLearningRate(step: step, totalSteps: totalSteps, warmupSteps: warmup, peak: cell.learningRate)
            optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: lr)
            let tokens = indices.reduce(0) { $0 + training[$1].inputIDs.count - 1 }
            tokensSeen += tokens
            let loss = Float(lossSum / Double(max(counted, 1)))
            steps.append(StepRecord(step: step + 1, epoch: epoch + 1, learningRate: lr, loss: loss, gradNorm: gradNorm, tokens: tokens))
            let seconds = Date().timeIntervalSince(stepStart)
            timing.append("\(step + 1),\(Format.fixed(seconds, 4)),\(Format.fixed(Double(tokens) / seconds, 1))")
            step += 1
            guard loss.isFinite else { throw ModelError("\(cell.id): the loss became \(loss) at step \(step) (learning rate \(lr)); lower the learning rate") }

            if step % recipe.validateEvery == 0 || step == totalSteps {
                validationLosses.append(ValidationRecord(step: step, loss: try meanLoss(model, validation),
                                                         trainResponseLoss: try meanLoss(model, trainingSample)))
            }
            progress.update(step, note: "loss \(Format.fixed(Double(loss), 3))" + (validationLosses.last.map { " · val \(Format.fixed(Double($0.loss), 3))" } ?? ""))
            let stopping = stopAfter.map { step >= $0 } ?? false
            if step % recipe.checkpointEvery == 0 || step == totalSteps || stopping {
                try saveCheckpoint(model, optimizer, step: step, steps: steps, validation: validationLosses)
            }
            if stopping && step < totalSteps { break }
        }
        let finished = step == totalSteps
        try FileIO.writeAtomically(directory + "/metrics.csv", text: metricsCSV(steps))
        try FileIO.writeAtomically(directory + "/validation.csv", text: validationCSV(validationLosses))
        try FileIO.writeAtomically(directory + "/timing.csv", text: "step,seconds,tokens_per_second\n" + timing.map { $0 + "\n" }.joined())
        if finished {
            try Checkpoint.save(model, to: directory + "/model")
            try FileIO.writeAtomically(directory + "/model/tokenizer.json", bytes: FileIO.read(tokenizerPath))
        }
        return CellResult(cell: cell, steps: steps, validation: validationLosses, tokensSeen: tokensSeen,
                          trainSeconds: Date().timeIntervalSince(clock), finished: finished)
    }

    /// The first training examples (as many as there are validation examples, at least 8) with the prompt out of the
    /// loss: the training-side twin of the validation loss.
    lazy var trainingSample: [Example] = training.prefix(max(validation.count, 8)).map(\.responseOnly)

    /// Mean loss over every counted token of `examples`, forward only.
    func meanLoss(_ model: GPTNeoX, _ examples: [Example]) throws -> Float {
        var sum = 0.0, count = 0
        for mb in microBatches(Array(examples.indices), examples: examples, size: recipe.microBatchSize) {
            let (loss, n) = try model.loss(inputs: mb.inputs, targets: mb.targets, batch: mb.batch, length: mb.length)
            sum += Double(loss) * Double(n); count += n
        }
        return count > 0 ? Float(sum / Double(count)) : .nan
    }

    func metricsCSV(_ steps: [StepRecord]) -> String { StepRecord.header + "\n" + steps.map { $0.csv + "\n" }.joined() }
    func validationCSV(_ v: [ValidationRecord]) -> String { ValidationRecord.header + "\n" + v.map { $0.csv + "\n" }.joined() }

    /// Everything that decides the numbers of this run besides the data's order: a checkpoint records it, and
    /// --resume continues only a checkpoint made with the same.
    var recipeDescription: String {
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a over every id and label, in order
        for example in training { for v in example.inputIDs + example.labels { checksum = (checksum ^ UInt64(UInt32(bitPattern: v))) &* 0x100_0000_01B3 } }
        return "learning rate \(cell.learningRate), \(cell.config.name), seed \(recipe.seed), \(recipe.totalSteps(examples: training.count)) steps, "
            + "batch \(recipe.batchSize) in micro-batches of \(recipe.microBatchSize), warmup \(recipe.warmupRatio), clipping \(recipe.gradientClip), "
            + "AdamW (\(recipe.beta1), \(recipe.beta2), \(recipe.eps), weight decay \(recipe.weightDecay)), "
            + "\(training.count) examples with checksum \(String(checksum, radix: 16))"
    }

    /// Write a complete checkpoint into a temporary folder, rename it into place, point `latest` at it, then remove
    /// older ones (and what a killed run left): at every instant `latest` names a whole checkpoint, and a folder named
    /// step-N is always complete.
    func saveCheckpoint(_ model: GPTNeoX, _ optimizer: AdamW, step: Int, steps: [StepRecord], validation: [ValidationRecord]) throws {
        let name = "step-" + String(repeating: "0", count: max(0, 6 - String(step).count)) + String(step)
        let dir = checkpoints + "/" + name
        let temporary = dir + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        try Checkpoint.save(model, optimizer: optimizer, metadata: ["step": String(step), "cell": cell.id, "recipe": recipeDescription],
                            to: temporary)
        try FileIO.writeAtomically(temporary + "/metrics.csv", text: metricsCSV(steps))
        try FileIO.writeAtomically(temporary + "/validation.csv", text: validationCSV(validation))
        // A folder of this name can only be left by a killed run that never pointed `latest` at it (a resumed run
        // saves only steps after the one it resumed from).
        try? FileManager.default.removeItem(atPath: dir)
        guard rename(temporary, dir) == 0 else { throw ModelError("\(dir): cannot rename the checkpoint into place") }
        try FileIO.writeAtomically(checkpoints + "/latest", text: name + "\n")
        removeCheckpoints(except: name)
    }

    /// Remove every checkpoint folder but `name` (older ones, and the temporary folders of killed runs).
    func removeCheckpoints(except name: String) {
        for old in (try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? [] where old.hasPrefix("step-") && old != name {
            try? FileManager.default.removeItem(atPath: checkpoints + "/" + old)
        }
    }
}
