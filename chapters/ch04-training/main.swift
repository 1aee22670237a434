// Chapter 04 — training: full fine-tuning as the paper did it (AdamW, batch 32, 3 epochs, linear warmup over 6% of
// the steps then cosine decay, clipping at 1.0), on a grid of two model sizes × two learning rates that mirrors
// Table 4, with the loss masked to the responses. The loop itself — one optimizer step is accumulate, clip,
// schedule, update — is `Trainer` in Sources/Repro/Training/Trainer.swift; this chapter sets it up and reads it.
import ArgumentParser
import Book
import Plumbing
import Repro

// Files of this chapter's own (what it hands on is `Artifacts.grid`, `.metrics`, `.validationCurve`, `.model`).
enum Output {
    static let results = "training.md"
    static let lossFigure = "loss-curves"
    static let lossBySizeFigure = "loss-by-size"
    static let scheduleFigure = "learning-rate"
    static let gradNormFigure = "grad-norm"
}

struct TrainingChapter: ChapterCommand {
    static let chapter = Chapter.training
    static let runControl: Set = ["resuming"]

    @OptionGroup var common: CommonOptions

    @Option(help: "Train only these cells (comma-separated, of small-high, small-low, large-high, large-low; with --models sweep, 1.3b-high … 12.8b-low).")
    var cells: String?

    @Option(help: "pair: the course's two sizes (stand-ins for 5.8B and 12.8B, Table 4's grid); sweep: Polyglot-Ko's four shapes scaled down (chapter 06).")
    var models: ModelSet = .pair

    @Option(name: .customLong("learning-rates"), parsing: .unconditional, help: "The grid's two learning rates, high,low (default: the preset's).")
    var learningRates: String?

    @Option(parsing: .unconditional, help: "Epochs (default: the preset's, the paper's 3).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Sequences per optimizer step (default: the preset's, the paper's 32).")
    var batchSize: Int?

    @Option(name: .customLong("micro-batch"), parsing: .unconditional, help: "Sequences per forward/backward (the batch is accumulated from these; it must divide the batch).")
    var microBatch: Int?

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "AdamW weight decay (the HF Trainer default the paper used: 0).")
    var weightDecay: Float = 0

    @Flag(name: .customLong("no-group-by-length"), help: "Batches in plain shuffled order instead of grouping examples of similar length (the padding computed grows; the numbers change).")
    var noGroupByLength = false

    @Option(name: .customLong("init"), help: "Start every cell from this checkpoint directory (Hugging Face layout, e.g. a real Polyglot-Ko) instead of its base.")
    var initFrom: String?

    @Flag(name: .customLong("no-pretraining"), help: "Ablation: start every cell from random weights instead of its pretrained base (chapter 00).")
    var noPretraining = false

    @Option(name: .customLong("pretrained-from"), help: "The artifacts folder whose chapter 00 holds the bases (default: this run's --out).")
    var pretrainedFrom: String?

    @OptionGroup var resuming: Resuming

    func run() throws {
        let run = try ChapterRun(self)
        if common.scale == .paper { return try preparePaperScale(run, rates: rates, epochs: recipe.epochs) }
        if let initFrom {       // the checkpoint every cell starts from is an input like any other
            for file in [Checkpoint.configFile, Checkpoint.modelFile, Checkpoint.shardIndexFile] where FileIO.exists(initFrom + "/" + file) {
                try run.input(initFrom + "/" + file)
            }
        }
        let data = try ExampleData(run, pretrainedFrom: noPretraining || initFrom != nil ? nil : pretrainedFrom ?? common.outputDirectory)
        let recipe = describeRecipe(run, training: data.training, validation: data.validation.count)
        let grid = try describeGrid(run, vocabulary: Preset.paddedVocabulary(data.tokenizer.vocabularySize))
        if case .base(let root) = start {    // the bases are inputs too, known before the reuse check
            for cell in grid { _ = try run.checkedPath(Artifacts.base(cell.config.name), root: root) }
        }
        if resuming.stopAfter == nil, try run.reuseIfFinished() { return }
        let results = try grid.map {
            try train($0, recipe: recipe, data: data, start: start, run: run, resume: resuming.resume, stopAfter: resuming.stopAfter)
        }
        guard results.allSatisfy(\.log.finished) else {
            // No manifest: an unfinished chapter must not look finished.
            return run.notebook.text("Stopped early (--stop-after \(resuming.stopAfter ?? 0)); run again with --resume to finish. No results table until every cell has finished.")
        }
        try showResults(run, results, recipe: recipe, validationCount: data.validation.count)
        try run.finish()
    }
}

extension TrainingChapter {
    /// Where every cell starts: a given checkpoint, random weights, or (by default) its base from chapter 00.
    var start: Start {
        if let initFrom { return .checkpoint(initFrom) }
        return noPretraining ? .scratch : .base(root: pretrainedFrom ?? common.outputDirectory)
    }

    /// The grid's two learning rates: the option's, else the preset's.
    var rates: (high: Double, low: Double) {
        guard let learningRates else { return common.preset.learningRates }
        let parts = learningRates.split(separator: ",").map { Double($0)! }     // checked by validate()
        return (parts[0], parts[1])
    }

    /// The recipe: the preset's (the paper's where it states them), with this run's options.
    var recipe: Recipe {
        let preset = common.preset
        var recipe = Recipe(epochs: epochs ?? preset.epochs, batchSize: batchSize ?? preset.batchSize,
                            microBatchSize: microBatch ?? preset.microBatchSize, warmupRatio: preset.warmupRatio,
                            gradientClip: preset.gradientClip, seed: common.seed, validateEvery: 1, checkpointEvery: 1)
        recipe.weightDecay = weightDecay
        recipe.groupByLength = preset.groupByLength && !noGroupByLength
        return recipe
    }

    func describeRecipe(_ run: ChapterRun, training: [TrainingExample], validation: Int) -> Recipe {
        run.notebook.section("The recipe")
        var recipe = self.recipe
        let examples = training.count
        let totalSteps = recipe.epochs * ((examples + recipe.batchSize - 1) / recipe.batchSize)
        let stepsPerEpoch = totalSteps / recipe.epochs
        recipe.validateEvery = max(1, totalSteps / 12)
        recipe.checkpointEvery = max(1, stepsPerEpoch)
        let warmup = warmupSteps(ratio: recipe.warmupRatio, totalSteps: totalSteps)
        var settings = Table(title: "Hyperparameters (the paper's where it states them)", columns: ["setting", "value", "the paper"])
        settings.add(["optimizer", "AdamW β=(\(recipe.beta1), \(recipe.beta2)), ε=\(recipe.eps), weight decay \(recipe.weightDecay)", "AdamW"])
        settings.add(["epochs", "\(recipe.epochs)", "\(Paper.epochs)"])
        settings.add(["batch", "\(recipe.batchSize) = \(recipe.microBatchSize) per micro-batch × \(recipe.batchSize / recipe.microBatchSize) accumulated", "\(Paper.batchSize) (\(Paper.gpus) GPUs)"])
        settings.add(["schedule", "linear warmup \(warmup) steps (\(Format.percent(recipe.warmupRatio, 0))), cosine to 0 at step \(totalSteps)", "cosine, \(Format.percent(Paper.warmupRatio, 0)) warmup"])
        settings.add(["gradient clipping", "global norm \(recipe.gradientClip)", "\(Paper.gradientClip)"])
        settings.add(["batch order", recipe.groupByLength ? "shuffled, grouped by length (Trainer's group_by_length)" : "shuffled", "not stated (Trainer's default: shuffled)"])
        settings.add(["training examples", "\(examples) (\(stepsPerEpoch) steps per epoch)", "\(Format.count(Paper.koalpacaRecords)) records"])
        settings.add(["validation examples", "\(validation), loss every \(recipe.validateEvery) steps", "—"])
        settings.add(["precision", "fp32 on CPU", "mixed precision, ZeRO-\(Paper.zeroStage) on \(Paper.gpus) × A100"])
        run.notebook.table(settings)
        run.notebook.text("""
        The loss of a step is the mean over every response token of the batch of \(recipe.batchSize), however it is split into \
        micro-batches (each micro-batch's summed loss is divided by the whole batch's token count). The Hugging Face \
        Trainer of 2023, which the paper's scripts ran, averaged per-micro-batch means instead (a token in a short \
        micro-batch weighed more); since transformers 4.46 it averages over all tokens, as here.
        """)
        if recipe.groupByLength {
            func padding(grouped: Bool) -> Double {
                ExampleBatches(training, epochs: recipe.epochs, batchSize: recipe.batchSize, microBatchSize: recipe.microBatchSize,
                               seed: recipe.seed, groupByLength: grouped).paddingShare
            }
            run.notebook.text("""
            Each epoch is shuffled, then cut into groups of a few batches sorted by length, as Hugging Face Trainer's \
            `group_by_length` does: every example is still seen once per epoch in random company, but a micro-batch \
            pads only to lengths near its own. Of the positions computed, \(Format.percent(padding(grouped: false), 0)) would be \
            padding in plain shuffled micro-batches and \(Format.percent(padding(grouped: true), 1)) are, grouped \
            (`--no-group-by-length` turns it off).
            """)
        }
        return recipe
    }

    func describeGrid(_ run: ChapterRun, vocabulary: Int) throws -> [Cell] {
        run.notebook.section("The grid: two model sizes × two learning rates")
        let grid = try makeGrid(run.preset, models: models, rates: rates, vocabulary: vocabulary,
                                wanted: cells.map { $0.split(separator: ",").map(String.init) })
        let paper = Paper.learningRates
        run.notebook.text("""
        The paper fine-tunes *pretrained* 5.8B and 12.8B models at \(Format.scientific(paper.high, 0)) and \
        \(Format.scientific(paper.low, 0)), models that saw hundreds of billions of tokens. Ours start from chapter 00's \
        bases (or from random weights under `--no-pretraining`), which saw far fewer, in a hundred steps (chapter 06's \
        `paper-rates` ablation runs the paper's own rates on them); so the grid keeps the paper's ratio \
        (\(Format.fixed(Paper.learningRateRatio, 2)) : 1) at rates where they learn: \
        \(Format.scientific(rates.high, 2)) and \(Format.scientific(rates.low, 2)). The course's "high" and "low" cells \
        stand where the paper's \(Format.scientific(paper.high, 0)) and \(Format.scientific(paper.low, 0)) stand.
        """)
        return grid
    }

    func validate() throws {
        let preset = common.preset
        let batch = batchSize ?? preset.batchSize, micro = microBatch ?? preset.microBatchSize
        guard (1...1000).contains(epochs ?? 1) else { throw ValidationError("--epochs must be from 1 to 1,000") }
        guard (1...65_536).contains(batch) else { throw ValidationError("--batch-size must be from 1 to 65,536") }
        guard micro >= 1 else { throw ValidationError("--micro-batch must be at least 1") }
        guard batch % micro == 0 else {
            throw ValidationError("--micro-batch \(micro) does not divide the batch of \(batch): every step accumulates whole micro-batches")
        }
        if let learningRates {
            let parts = learningRates.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count == 2, let high = parts[0], let low = parts[1], high.isFinite, low.isFinite, high > 0, low > 0 else {
                throw ValidationError("--learning-rates takes two positive finite numbers, high,low")
            }
            guard high >= low else { throw ValidationError("--learning-rates \(learningRates): the first (high) is below the second (low)") }
        }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw ValidationError("--weight-decay must be 0 or more") }
        if initFrom != nil && noPretraining { throw ValidationError("--init and --no-pretraining exclude each other") }
        if pretrainedFrom != nil && (initFrom != nil || noPretraining) {
            throw ValidationError("--pretrained-from names the bases; with --init or --no-pretraining no base is used")
        }
        if common.scale == .paper, let ignored = paperScaleIgnores.first {
            throw ValidationError("--scale paper hands the run to DeepSpeed with the paper's batch layout; \(ignored) does not apply there")
        }
        if let cells {
            let names = cells.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !names.contains(where: \.isEmpty) else { throw ValidationError("--cells \"\(cells)\" has an empty name") }
            _ = try makeGrid(preset, models: models, rates: rates, vocabulary: 1, wanted: names)     // unknown names
        }
        if let initFrom, !FileIO.exists(initFrom + "/" + Checkpoint.configFile) {
            throw ValidationError("--init \(initFrom) is not a model folder (no \(Checkpoint.configFile) there)")
        }
    }

    /// Options the DeepSpeed hand-off cannot honour (it honours --learning-rates and --epochs).
    var paperScaleIgnores: [String] {
        [(cells != nil, "--cells"), (models != .pair, "--models"), (batchSize != nil, "--batch-size"),
         (microBatch != nil, "--micro-batch"), (weightDecay != 0, "--weight-decay"), (initFrom != nil, "--init"),
         (noPretraining, "--no-pretraining"), (pretrainedFrom != nil, "--pretrained-from"),
         (resuming.resume, "--resume"), (resuming.stopAfter != nil, "--stop-after")].filter(\.0).map(\.1)
    }
}

extension ModelSet: ExpressibleByArgument {}

TrainingChapter.main()
