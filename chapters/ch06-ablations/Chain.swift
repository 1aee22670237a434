import Foundation
import Repro
import Tensor
import Plumbing
import Book

// MARK: - Running the chapters

/// Runs chapters into one artifacts folder, as the student would by hand: the same executables (found beside this
/// one), each with `--out` set to the run's folder. A chapter whose previous run is up to date reuses it (its
/// manifest), so a second `ch06-ablations` costs only what changed.
struct ChapterChain {
    var scale: Scale
    var dataDirectory: String
    var seed: UInt64

    /// The baseline's chapters: the book from its first chapter to evaluation.
    static let baseline: [Chapter] = [.pretraining, .dataRepair, .prompting, .training, .evaluation]

    /// The folder of the running executable: the chapters are built beside it.
    static var binaryDirectory: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (me as NSString).deletingLastPathComponent
    }

    /// Run `chapters` into `out`, with `extra(chapter)` added to each one's arguments.
    func run(out: String, label: String, chapters: [Chapter], extra: (Chapter) -> [String]) throws {
        for chapter in chapters {
            let executable = chapter.executable
            let path = ChapterChain.binaryDirectory + "/" + executable
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw MissingArtifact(description: "\(path) is not built: run `swift build -c release` first")
            }
            // A chapter's own --seed in `extra` replaces the run's.
            let own = extra(chapter)
            let arguments = ["--scale", scale.rawValue, "--data-dir", dataDirectory, "--out", out]
                + (own.contains("--seed") ? [] : ["--seed", String(seed)]) + own
            print("\n=== [\(label)] \(executable) \(arguments.joined(separator: " "))")
            fflush(stdout)   // before the child writes to the same terminal or log
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                throw MissingArtifact(description: "[\(label)] \(executable) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)); its message is above")
            }
        }
    }
}

// MARK: - Reading what a run wrote

/// One trained and evaluated cell of a run: its losses from chapter 04, its answers and scores from chapter 05.
struct CellOutcome {
    var run: String                 // "baseline", or the ablation's name
    var id: String
    var model: String
    var parameters: Int
    var learningRate: Double
    var finalTrainLoss: Double      // on the positions trained on
    var finalTrainResponseLoss: Double
    var finalValidationLoss: Double
    /// After fine-tuning, the loss per character on chapter 00's held-out Wikipedia articles (nil from scratch).
    var heldOutWikipedia: Double?
    var steps: [(step: Int, loss: Double)]
    var validation: [(step: Int, loss: Double, trainResponse: Double)]
    var modelDirectory: String
    // Chapter 05
    var rouge1: Double?             // mean F1, syllable level; nil when chapter 05 summarized nothing (--no-summaries)
    var rougeL: Double?
    var summaryLengths: [Int]       // new tokens per summary
    var stoppedAtEndOfText: Int
    var nsmcParsed: Int             // correct answers, the generated word parsed
    var nsmcLikelihood: Int         // correct answers, log p(긍정) vs log p(부정)
    var nsmcCount: Int

    var label: String { "\(run) · \(id)" }
}

/// A loss as chapter 04 wrote it (the float's shortest decimal form), so figures show the same digits as the CSV.
func asWritten(_ loss: Float) -> Double { Double("\(loss)")! }

/// Reads cells of the run in `root`, through `chapterRun.read`, so every file is checked against its chapter's
/// manifest (and recorded as an input of chapter 06).
struct RunReader {
    let chapterRun: ChapterRun
    let root: String
    let name: String

    func read<Content>(_ artifact: Artifact<Content>) throws -> Content { try chapterRun.read(artifact, root: root) }

    /// Chapter 02's stats.json: counts of the examples the run trained on.
    func promptingStats() throws -> PromptingStats { try read(Artifacts.promptingStats) }

    func cells(_ ids: [String]) throws -> [CellOutcome] {
        let grid = try read(Artifacts.grid)
        return try ids.map { id in
            guard let cell = grid.cell(id) else {
                throw MissingArtifact(description: "\(root)/\(Chapter.training.folder)/\(Artifacts.grid.path) has no cell \(id): the \(name) run did not train it")
            }
            let metrics = try read(Artifacts.metrics(id)).rows
            let validation = try read(Artifacts.validationCurve(id)).rows
            let model = try read(Artifacts.model(id))
            let summaries = try read(Artifacts.summaries(id)).records
            let nsmc = try read(Artifacts.nsmcPredictions(id)).records
            func mean(_ value: (SummaryPrediction) -> Double) -> Double? {
                summaries.isEmpty ? nil : summaries.reduce(0.0) { $0 + value($1) } / Double(summaries.count)
            }
            return CellOutcome(
                run: name, id: id, model: cell.model, parameters: cell.parameters, learningRate: cell.learningRate,
                finalTrainLoss: cell.finalTrainLoss, finalTrainResponseLoss: cell.finalTrainResponseLoss ?? .nan,
                finalValidationLoss: cell.finalValidationLoss ?? .nan, heldOutWikipedia: cell.heldOutWikipedia?.perCharacter,
                steps: metrics.map { ($0.step, asWritten($0.loss)) },
                validation: validation.map { ($0.step, asWritten($0.loss), asWritten($0.trainResponseLoss)) },
                modelDirectory: model.directory,
                rouge1: mean { $0.score(RougeLevel.syllable.rawValue)?.rouge1 ?? 0 },
                rougeL: mean { $0.score(RougeLevel.syllable.rawValue)?.rougeL ?? 0 },
                summaryLengths: summaries.map(\.newTokens),
                stoppedAtEndOfText: summaries.filter { $0.stop == Generated.Stop.endOfText.rawValue }.count,
                nsmcParsed: nsmc.filter { $0.parsed != nil && $0.parsed == $0.label }.count,
                nsmcLikelihood: nsmc.filter { $0.likelihoodChoice == $0.label }.count,
                nsmcCount: nsmc.count)
        }
    }
}
