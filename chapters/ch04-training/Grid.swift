// The grid of Table 4 (model sizes × learning rates) and the training of one cell with the recipe's loop
// (`Trainer`, in Sources/Repro/Training).
import Foundation
import ArgumentParser
import Book
import Plumbing
import Repro

/// One cell of the grid: a model size and a learning rate.
struct Cell {
    var id: String                  // e.g. "large-low": the folder name under cells/
    var size: String                // "small" / "large", or a sweep size
    var rate: String                // "high" / "low"
    var config: NeoXConfig
    var learningRate: Double
    var label: String { "\(config.name), lr \(Format.scientific(learningRate, 2))" }
}

/// Which models make the grid's rows.
enum ModelSet: String, CaseIterable {
    case pair, sweep
}

/// The grid: every size × both rates, vocabulary and context set from chapter 02, filtered to `wanted` cells.
func makeGrid(_ preset: Preset, models: ModelSet, rates: (high: Double, low: Double), vocabulary: Int,
              wanted: [String]?) throws -> [Cell] {
    let sizes: [(String, NeoXConfig)] = models == .pair
        ? [("small", preset.models.small), ("large", preset.models.large)]
        : preset.sizeSweep.map { ($0.name.split(separator: "-").last.map(String.init) ?? $0.name, $0) }
    var grid: [Cell] = []
    for (size, base) in sizes {
        var config = base
        config.vocabSize = vocabulary
        config.maxPositions = max(config.maxPositions, preset.contextLength)
        for (rate, lr) in [("high", rates.high), ("low", rates.low)] {
            grid.append(Cell(id: "\(size)-\(rate)", size: size, rate: rate, config: config, learningRate: lr))
        }
    }
    guard let wanted else { return grid }
    let unknown = Set(wanted).subtracting(grid.map(\.id))
    guard unknown.isEmpty else { throw ValidationError("unknown cells \(unknown.sorted()); the grid has \(grid.map(\.id))") }
    return grid.filter { wanted.contains($0.id) }
}

/// Where a cell starts.
enum Start {
    /// Its pretrained base: chapter 00's model of the cell's shape, in the artifacts folder `root`.
    case base(root: String)
    /// Random weights (Hugging Face's initialisation, from the seed): the course before chapter 00 existed.
    case scratch
    /// Any Hugging Face GPT-NeoX directory, for every cell.
    case checkpoint(String)
}

/// Chapter 02's examples, checked against the tokenizer they were made with, and (when the cells start from
/// chapter 00's bases) the held-out Wikipedia text, to measure what fine-tuning leaves of what pretraining built.
struct ExampleData {
    var training: [TrainingExample]
    var validation: [TrainingExample]
    var tokenizer: BPETokenizer
    var tokenizerPath: String
    var heldOutText: TokenStream?

    init(_ run: ChapterRun, pretrainedFrom root: String?) throws {
        tokenizerPath = try run.checkedPath(Artifacts.tokenizer)
        tokenizer = try BPETokenizer(contentsOf: tokenizerPath)
        training = try ExampleData.read(run, Artifacts.trainingExamples, vocabulary: tokenizer.vocabularySize)
        validation = try ExampleData.read(run, Artifacts.validationExamples, vocabulary: tokenizer.vocabularySize)
        guard !training.isEmpty else { throw ModelError("chapter 02 wrote no training examples") }
        if let root {
            let articles = try run.read(Artifacts.heldOutSample, root: root).records
            heldOutText = TokenStream(texts: articles.map(\.text), tokenizer: tokenizer)
        }
    }

    static func read(_ run: ChapterRun, _ artifact: Artifact<JSONLines<TrainingExample>>, vocabulary: Int) throws -> [TrainingExample] {
        let path = try run.checkedPath(artifact)
        let examples = try JSONLines<TrainingExample>.read(from: path).records
        for (index, example) in examples.enumerated() {
            do { try example.checkTokens(below: vocabulary) } catch {
                throw RecordError(file: path, record: index, line: index + 1, problem: error.description)
            }
        }
        return examples
    }

    /// The first training examples (as many as there are validation examples, at least 8) with the prompt out of the
    /// loss: the training-side twin of the validation loss.
    var trainingSample: [TrainingExample] { training.prefix(max(validation.count, 8)).map(\.responseOnly) }
}

/// What training one cell gave.
struct CellResult {
    var cell: Cell
    var log: TrainingLog<ValidationRecord>
    /// The loss on chapter 00's held-out articles after fine-tuning: what is left of what pretraining built.
    var heldOutWikipedia: LossRates?

    var summary: CellSummary {
        CellSummary(id: cell.id, size: cell.size, rate: cell.rate, model: cell.config.name,
                    parameters: cell.config.parameterCount, learningRate: cell.learningRate, steps: log.steps.count,
                    tokensSeen: log.tokensSeen, finalTrainLoss: log.finalTrainLoss,
                    finalValidationLoss: log.validation.last.map { Double($0.loss) },
                    finalTrainResponseLoss: log.validation.last.map { Double($0.trainResponseLoss) },
                    heldOutWikipedia: heldOutWikipedia)
    }
}

/// Train one cell into `cells/<id>/` (metrics, validation, timing, checkpoints; the final model with its tokenizer
/// in `model/` once it finishes), from random weights or from `initFrom`, resuming when asked.
func train(_ cell: Cell, recipe: Recipe, data: ExampleData, start: Start, run: ChapterRun, resume: Bool,
           stopAfter: Int?) throws -> CellResult {
    let model = try initialModel(cell, start: start, seed: recipe.seed, run: run)
    let batches = ExampleBatches(data.training, epochs: recipe.epochs, batchSize: recipe.batchSize,
                                 microBatchSize: recipe.microBatchSize, seed: recipe.seed, groupByLength: recipe.groupByLength)
    let sample = data.trainingSample, size = recipe.microBatchSize
    let directory = run.path("cells/\(cell.id)")
    let trainer = Trainer(model: model, recipe: recipe, peakLearningRate: cell.learningRate, batches: batches,
                          directory: directory, name: cell.id) { model, step in
        ValidationRecord(step: step, loss: try meanLoss(model, data.validation, microBatch: size),
                         trainResponseLoss: try meanLoss(model, sample, microBatch: size))
    }
    let progress = Progress(cell.label, total: batches.totalSteps, unit: "steps")
    var lastValidation: Float?
    trainer.onStep = { record, point in
        if let point { lastValidation = point.loss }
        progress.update(record.step, note: "loss \(Format.fixed(Double(record.loss), 3))"
                        + (lastValidation.map { " · val \(Format.fixed(Double($0), 3))" } ?? ""))
    }
    let log = try trainer.run(resume: resume, stopAfter: stopAfter)
    if let after = log.resumedAfter { print("\(cell.id): resumed after step \(after) of \(batches.totalSteps)") }
    run.recordOutput(Artifacts.metrics(cell.id))
    run.recordOutput(Artifacts.validationCurve(cell.id))
    run.recordOutput("cells/\(cell.id)/timing.csv")
    var result = CellResult(cell: cell, log: log)
    if log.finished {
        try Checkpoint.save(model, to: directory + "/model")
        try FileIO.writeAtomically(directory + "/model/tokenizer.json", bytes: FileIO.read(data.tokenizerPath))
        run.recordOutput(Artifacts.model(cell.id))
        if let text = data.heldOutText {
            result.heldOutWikipedia = LossRates(try crossEntropy(model, on: text, contextLength: cell.config.maxPositions,
                                                                 microBatch: recipe.microBatchSize))
        }
    }
    return result
}

/// The model a cell starts from.
func initialModel(_ cell: Cell, start: Start, seed: UInt64, run: ChapterRun) throws -> GPTNeoX {
    switch start {
    case .scratch:
        return GPTNeoX(config: cell.config, seed: seed)
    case .checkpoint(let directory):
        let model = try Checkpoint.loadModel(from: directory)
        guard model.config.vocabSize >= cell.config.vocabSize else {
            throw ModelError("\(directory): its vocabulary (\(model.config.vocabSize)) is smaller than the tokenizer's (\(cell.config.vocabSize))")
        }
        return model
    case .base(let root):
        let base = try run.read(Artifacts.base(cell.config.name), root: root)
        let model = try Checkpoint.loadModel(from: base.directory)
        guard model.config == cell.config else {
            throw ModelError("\(base.directory) is a \(model.config.hiddenSize)-wide, \(model.config.numLayers)-layer model with \(model.config.vocabSize) rows; cell \(cell.id) needs \(cell.config.hiddenSize), \(cell.config.numLayers) and \(cell.config.vocabSize) (run chapter 00 again, or --no-pretraining)")
        }
        return model
    }
}
