import Foundation
import Repro
import Tensor
import Plumbing
import Book

// MARK: - Running the chapters

/// Runs chapters 01, 02, 04 and 05 into one artifacts folder, as the student would by hand: the same executables
/// (found beside this one), each with `--out` set to the run's folder. A chapter whose previous run is up to date
/// reuses it (chapter 01's manifests), so a second `ch06-ablations` costs only what changed.
struct ChapterChain {
    var scale: Scale
    var dataDirectory: String
    var seed: UInt64

    static let chapters: [(number: Int, executable: String)] = [
        (1, "ch01-data-repair"), (2, "ch02-prompting"), (4, "ch04-training"), (5, "ch05-evaluation"),
    ]

    /// The folder of the running executable: the chapters are built beside it.
    static var binaryDirectory: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (me as NSString).deletingLastPathComponent
    }

    /// Run every chapter into `out`, with `extra(chapter)` added to its arguments.
    func run(out: String, label: String, extra: (Int) -> [String]) throws {
        for (number, executable) in ChapterChain.chapters {
            let path = ChapterChain.binaryDirectory + "/" + executable
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw MissingArtifact(description: "\(path) is not built: run `swift build -c release` first")
            }
            // A chapter's own --seed in `extra` replaces the run's.
            let own = extra(number)
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
    var steps: [(step: Int, loss: Double)]
    var validation: [(step: Int, loss: Double, trainResponse: Double)]
    var modelDirectory: String
    // Chapter 05
    var rouge1: Double              // mean F1, syllable level
    var rougeL: Double
    var summaryLengths: [Int]       // new tokens per summary
    var stoppedAtEndOfText: Int
    var nsmcParsed: Int             // correct answers, the generated word parsed
    var nsmcLikelihood: Int         // correct answers, log p(긍정) vs log p(부정)
    var nsmcCount: Int

    var label: String { "\(run) · \(id)" }
}

/// Reads cells of the run in `root`, through `chapterRun.artifact`, so every file is checked against its chapter's
/// manifest (and recorded as an input of chapter 06).
struct RunReader {
    let chapterRun: ChapterRun
    let root: String
    let name: String

    func file(_ chapter: Int, _ slug: String, _ path: String) throws -> String {
        try chapterRun.artifact(ofChapter: chapter, slug, path, root: root)
    }

    func json(_ chapter: Int, _ slug: String, _ path: String) throws -> (JSON, String) {
        let p = try file(chapter, slug, path)
        return (try JSON.parse(try FileIO.read(p), file: p), p)
    }

    func csvRows(_ path: String, columns: Int) throws -> [[Double]] {
        let text = String(decoding: try FileIO.read(path), as: UTF8.self)
        return try text.split(separator: "\n").dropFirst().enumerated().map { index, line in
            let values = line.split(separator: ",").compactMap { Double($0) }
            guard values.count == columns else {
                throw RecordError(file: path, record: index, line: index + 2, problem: "expected \(columns) numbers, got \"\(line)\"")
            }
            return values
        }
    }

    /// Chapter 02's stats.json: counts of the examples the run trained on.
    func promptingStats() throws -> JSON { try json(2, "prompting", "stats.json").0 }

    func cells(_ ids: [String]) throws -> [CellOutcome] {
        let (grid, gridPath) = try json(4, "training", "grid.json")
        return try ids.map { id in
            guard let cell = grid.array?.first(where: { $0["id"]?.string == id }) else {
                throw MissingArtifact(description: "\(gridPath) has no cell \(id): the \(name) run did not train it")
            }
            func number(_ key: String) throws -> Double {
                guard let v = cell[key]?.double else { throw RecordError(file: gridPath, problem: "cell \(id): no number \"\(key)\"") }
                return v
            }
            let metrics = try csvRows(try file(4, "training", "cells/\(id)/metrics.csv"), columns: 6)
            let validation = try csvRows(try file(4, "training", "cells/\(id)/validation.csv"), columns: 3)
            let model = try file(4, "training", "cells/\(id)/model/\(Checkpoint.modelFile)")
            let summaries = try Records.readJSONLines(try file(5, "evaluation", "cells/\(id)/summaries.jsonl"))
            let nsmc = try Records.readJSONLines(try file(5, "evaluation", "cells/\(id)/nsmc.jsonl"))
            func mean(_ key: String) -> Double {
                summaries.reduce(0.0) { $0 + ($1[key]?.double ?? 0) } / Double(max(summaries.count, 1))
            }
            return CellOutcome(
                run: name, id: id, model: cell["model"]?.string ?? id, parameters: Int(try number("parameters")),
                learningRate: try number("learning_rate"), finalTrainLoss: try number("final_train_loss"),
                finalTrainResponseLoss: try number("final_train_response_loss"),
                finalValidationLoss: try number("final_validation_loss"),
                steps: metrics.map { (Int($0[0]), $0[3]) }, validation: validation.map { (Int($0[0]), $0[1], $0[2]) },
                modelDirectory: (model as NSString).deletingLastPathComponent,
                rouge1: mean("syllable_rouge1_f1"), rougeL: mean("syllable_rougeL_f1"),
                summaryLengths: summaries.map { $0["new_tokens"]?.int ?? 0 },
                stoppedAtEndOfText: summaries.filter { $0["stop"]?.string == Generated.Stop.endOfText.rawValue }.count,
                nsmcParsed: nsmc.filter { $0["parsed"]?.string != nil && $0["parsed"]?.string == $0["label"]?.string }.count,
                nsmcLikelihood: nsmc.filter { $0["likelihood_choice"]?.string == $0["label"]?.string }.count,
                nsmcCount: nsmc.count)
        }
    }
}
