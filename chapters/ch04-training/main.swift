// Chapter 04 — training: full fine-tuning as the paper did it (AdamW, batch 32, 3 epochs, linear warmup over 6% of
// the steps then cosine decay, clipping at 1.0), on a grid of two model sizes × two learning rates that mirrors
// Table 4, with the loss masked to the responses.
import ArgumentParser
import Foundation
import Repro
import Tensor
import Plumbing
import Book

// Artifacts of this chapter, in one place (artifacts/04-training/).
enum Artifact {
    static let cells = "cells"                     // cells/<id>/{model/, metrics.csv, validation.csv, timing.csv, checkpoints/}
    static let results = "training.md"
    static let grid = "grid.json"                  // the cells in grid order: id, model, parameters, learning rate
    static let lossFigure = "loss-curves"
    static let lossBySizeFigure = "loss-by-size"
    static let scheduleFigure = "learning-rate"
    static let gradNormFigure = "grad-norm"
}

struct TrainingChapter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch04-training",
        abstract: "Fine-tune the grid of model sizes × learning rates on chapter 02's examples.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Train only these cells (comma-separated, of small-high, small-low, large-high, large-low; with --models sweep, 1.3b-high … 12.8b-low).")
    var cells: String?

    @Option(help: "pair: the course's two sizes (stand-ins for 5.8B and 12.8B, Table 4's grid); sweep: Polyglot-Ko's four shapes scaled down (chapter 06).")
    var models: ModelSet = .pair

    @Option(name: .customLong("learning-rates"), help: "The grid's two learning rates, high,low (default: the preset's).")
    var learningRates: String?

    @Option(help: "Epochs (default: the preset's, the paper's 3).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Sequences per optimizer step (default: the preset's, the paper's 32).")
    var batchSize: Int?

    @Option(name: .customLong("micro-batch"), help: "Sequences per forward/backward (the batch of 32 is accumulated from these).")
    var microBatch: Int?

    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay (the HF Trainer default the paper used: 0).")
    var weightDecay: Float = 0

    @Option(name: .customLong("init"), help: "Start every cell from this checkpoint directory (Hugging Face layout) instead of random weights.")
    var initFrom: String?

    @Flag(help: "Continue each cell from its last checkpoint.")
    var resume = false

    @Option(name: .customLong("stop-after"), help: "Stop each cell after this many optimizer steps, with a checkpoint (then --resume).")
    var stopAfter: Int?

    func run() throws {
        let run = try ChapterRun(4, "training", title: "Chapter 04 — Fine-tuning: the recipe and the grid", options: common)
        if common.scale == .paper {
            try preparePaperScale(run: run)
            return try run.finish()
        }
        let book = run.notebook
        let preset = run.preset

        // MARK: - 4.1 Data from chapter 02
        let statsPath = try run.artifact(ofChapter: 2, "prompting", "stats.json")
        let stats = try JSON.parse(try FileIO.read(statsPath), file: statsPath)
        guard let tokenizerSize = stats["vocabulary_size"]?.int else { throw ModelError("\(statsPath): no vocabulary_size") }
        let tokenizerPath = try run.artifact(ofChapter: 2, "prompting", "tokenizer.json")
        let vocabulary = Preset.paddedVocabulary(tokenizerSize)
        let training = try readExamples(try run.artifact(ofChapter: 2, "prompting", "train.jsonl"), vocabularySize: tokenizerSize)
        let validation = try readExamples(try run.artifact(ofChapter: 2, "prompting", "validation.jsonl"), vocabularySize: tokenizerSize)
        guard !training.isEmpty else { throw ModelError("chapter 02 wrote no training examples") }

        // MARK: - 4.2 The recipe
        book.section("4.1 The recipe")
        var recipe = Recipe(epochs: epochs ?? preset.epochs, batchSize: batchSize ?? preset.batchSize,
                            microBatchSize: microBatch ?? preset.microBatchSize, warmupRatio: preset.warmupRatio,
                            gradientClip: preset.gradientClip, seed: common.seed, validateEvery: 1, checkpointEvery: 1)
        recipe.weightDecay = weightDecay
        let totalSteps = recipe.totalSteps(examples: training.count)
        let stepsPerEpoch = totalSteps / max(recipe.epochs, 1)
        recipe.validateEvery = max(1, totalSteps / 12)
        recipe.checkpointEvery = max(1, stepsPerEpoch)
        let warmup = warmupSteps(ratio: recipe.warmupRatio, totalSteps: totalSteps)
        var settings = Table(title: "Hyperparameters (the paper's where it states them)", columns: ["setting", "value", "the paper"])
        settings.add(["optimizer", "AdamW β=(\(recipe.beta1), \(recipe.beta2)), ε=\(recipe.eps), weight decay \(recipe.weightDecay)", "AdamW"])
        settings.add(["epochs", "\(recipe.epochs)", "3"])
        settings.add(["batch", "\(recipe.batchSize) = \(recipe.microBatchSize) per micro-batch × \(recipe.batchSize / recipe.microBatchSize) accumulated", "32 (8 GPUs)"])
        settings.add(["schedule", "linear warmup \(warmup) steps (\(Format.percent(recipe.warmupRatio, 0))), cosine to 0 at step \(totalSteps)", "cosine, 6% warmup"])
        settings.add(["gradient clipping", "global norm \(recipe.gradientClip)", "1.0"])
        settings.add(["training examples", "\(training.count) (\(stepsPerEpoch) steps per epoch)", "49,620 records"])
        settings.add(["validation examples", "\(validation.count), loss every \(recipe.validateEvery) steps", "—"])
        settings.add(["precision", "fp32 on CPU", "mixed precision, ZeRO-3 on 8 × A100"])
        book.table(settings)
        book.text("""
        The loss of a step is the mean over every response token of the batch of 32, however it is split into \
        micro-batches (each micro-batch's summed loss is divided by the whole batch's token count). The Hugging Face \
        Trainer of 2023, which the paper's scripts ran, averaged per-micro-batch means instead (a token in a short \
        micro-batch weighed more); since transformers 4.46 it averages over all tokens, as here.
        """)

        // MARK: - 4.3 The grid, mirroring Table 4
        book.section("4.2 The grid: two model sizes × two learning rates")
        var rates = preset.learningRates
        if let learningRates {
            let parts = learningRates.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--learning-rates takes two positive numbers, high,low") }
            rates = (parts[0], parts[1])
        }
        run.chapterOptions["learning_rates"] = [.number(rates.high), .number(rates.low)]
        var grid: [Cell] = []
        let sizes: [(String, NeoXConfig)] = models == .pair
            ? [("small", preset.models.small), ("large", preset.models.large)]
            : preset.sizeSweep.map { ($0.name.split(separator: "-").last.map(String.init) ?? $0.name, $0) }
        if models == .sweep { run.chapterOptions["models"] = .string(models.rawValue) }
        for (size, base) in sizes {
            var config = base
            config.vocabSize = vocabulary
            config.maxPositions = max(config.maxPositions, preset.contextLength)
            for (rate, lr) in [("high", rates.high), ("low", rates.low)] {
                grid.append(Cell(id: "\(size)-\(rate)", size: size, rate: rate, config: config, learningRate: lr))
            }
        }
        if let cells {
            let wanted = Set(cells.split(separator: ",").map(String.init))
            let unknown = wanted.subtracting(grid.map(\.id))
            guard unknown.isEmpty else { throw ValidationError("unknown cells \(unknown.sorted()); the grid has \(grid.map(\.id))") }
            grid = grid.filter { wanted.contains($0.id) }
            run.chapterOptions["cells"] = .string(cells)
        }
        book.text("""
        The paper fine-tunes *pretrained* 5.8B and 12.8B models at 5e-5 and 7e-6. Our course models start from random \
        weights, and rates that small barely move a model from scratch in a few hundred steps; so the grid keeps the \
        paper's ratio (\(Format.fixed(5e-5 / 7e-6, 2)) : 1) at rates where a small model learns: \
        \(Format.scientific(rates.high, 2)) and \(Format.scientific(rates.low, 2)). The course's "high" and "low" cells \
        stand where the paper's 5e-5 and 7e-6 stand.
        """)

        run.chapterOptions["epochs"] = .number(Double(recipe.epochs))
        run.chapterOptions["batch_size"] = .number(Double(recipe.batchSize))
        run.chapterOptions["micro_batch"] = .number(Double(recipe.microBatchSize))
        run.chapterOptions["weight_decay"] = .number(Double(recipe.weightDecay))
        if let initFrom { run.chapterOptions["init"] = .string(initFrom) }
        if stopAfter == nil, try run.reuseIfFinished() { return }

        var results: [CellResult] = []
        for cell in grid {
            let trainer = CellTrainer(cell: cell, recipe: recipe, training: training, validation: validation,
                                      directory: run.path("\(Artifact.cells)/\(cell.id)"), tokenizerPath: tokenizerPath)
            results.append(try trainer.run(initFrom: initFrom, resume: resume, stopAfter: stopAfter))
            for file in ["metrics.csv", "validation.csv", "timing.csv"] { run.recordOutput("\(Artifact.cells)/\(cell.id)/\(file)") }
            if results.last!.finished {
                for file in [Checkpoint.modelFile, Checkpoint.configFile, "tokenizer.json"] {
                    run.recordOutput("\(Artifact.cells)/\(cell.id)/model/\(file)")
                }
            }
        }
        if results.contains(where: { !$0.finished }) {
            book.text("Stopped early (--stop-after \(stopAfter ?? 0)); run again with --resume to finish. No results table until every cell has finished.")
            return   // no manifest: an unfinished chapter must not look finished
        }

        // MARK: - 4.4 Results
        book.section("4.3 Results")
        var table = Table(title: "Training, per cell", columns: ["cell", "model", "parameters", "learning rate", "final train loss",
                                                                  "train loss, responses", "final validation loss", "tokens seen",
                                                                  "wall time", "tokens/s"])
        for r in results {
            table.add([r.cell.id, r.cell.config.name, Format.count(r.cell.config.parameterCount), Format.scientific(r.cell.learningRate, 2),
                       Format.fixed(r.finalTrainLoss, 3), r.validation.last.map { Format.fixed(Double($0.trainResponseLoss), 3) } ?? "—",
                       r.validation.last.map { Format.fixed(Double($0.loss), 3) } ?? "—",
                       Format.count(r.tokensSeen), Format.fixed(r.trainSeconds, 1) + " s",
                       Format.fixed(Double(r.tokensSeen) / max(r.trainSeconds, 1e-9), 0)])
        }
        table.notes = ["Final train loss: mean over the last 5% of steps, on the positions trained on. Train loss, responses: "
                       + "after the last step, on the responses of the first \(max(validation.count, 8)) training examples (what "
                       + "the validation loss measures, on records the model trained on). Validation: response tokens of the "
                       + "held-out records. Wall time includes validation and checkpoints."]
        book.table(table)
        try run.write(Artifact.results, table: table)
        try run.write(Artifact.grid, text: JSON.array(results.map(\.summaryJSON)).serialized(pretty: true) + "\n")

        func trainSeries(_ r: CellResult, style: String = "") -> Figure.Series {
            Figure.Series("\(r.cell.id) train", x: r.steps.map { Double($0.step) }, y: r.steps.map { Double($0.loss) }, style: style)
        }
        func validationSeries(_ r: CellResult) -> Figure.Series {
            Figure.Series("\(r.cell.id) validation", x: r.validation.map { Double($0.step) }, y: r.validation.map { Double($0.loss) },
                          style: "dashtype 2 linewidth 3")
        }
        try run.figure(Figure(name: Artifact.lossFigure, title: "학습 손실 (loss) — every cell", xLabel: "optimizer step",
                              yLabel: "cross-entropy (nats/token)", series: results.map { trainSeries($0) } + results.map(validationSeries)),
                       caption: "Solid: training loss per step; dashed: validation loss on held-out records.")
        var sizesTrained: [String] = []
        for r in results where !sizesTrained.contains(r.cell.size) { sizesTrained.append(r.cell.size) }
        for size in sizesTrained {
            let cellsOfSize = results.filter { $0.cell.size == size }
            guard !cellsOfSize.isEmpty else { continue }
            try run.figure(Figure(name: "\(Artifact.lossBySizeFigure)-\(size)", title: "Loss, \(cellsOfSize[0].cell.config.name): high vs low learning rate",
                                  xLabel: "optimizer step", yLabel: "cross-entropy (nats/token)",
                                  series: cellsOfSize.map { trainSeries($0) } + cellsOfSize.map(validationSeries)))
        }
        try run.figure(Figure(name: Artifact.scheduleFigure, title: "Learning rate: linear warmup, cosine decay", xLabel: "optimizer step",
                              yLabel: "learning rate", series: results.filter { $0.cell.size == results[0].cell.size }.map {
                                  Figure.Series($0.cell.rate + " (\(Format.scientific($0.cell.learningRate, 2)))",
                                                x: $0.steps.map { Double($0.step) }, y: $0.steps.map(\.learningRate))
                              }))
        try run.figure(Figure(name: Artifact.gradNormFigure, title: "Gradient norm before clipping (clip at \(recipe.gradientClip))",
                              xLabel: "optimizer step", yLabel: "global L2 norm", series: results.map {
                                  Figure.Series($0.cell.id, x: $0.steps.map { Double($0.step) }, y: $0.steps.map(\.gradNorm))
                              }, logY: true))
        try run.finish()
    }
}

/// Which models make the grid's rows.
enum ModelSet: String, ExpressibleByArgument {
    case pair, sweep
}

TrainingChapter.main()
