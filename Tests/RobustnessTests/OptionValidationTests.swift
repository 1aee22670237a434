import ArgumentParser
import Foundation
import XCTest
import Book
import Plumbing
@testable import ch00_pretraining
@testable import ch01_data_repair
@testable import ch02_prompting
@testable import ch03_model_config
@testable import ch04_training
@testable import ch05_evaluation
@testable import ch06_ablations

/// Every option is checked before a chapter touches anything: a bad value is one line saying what is wrong, exit
/// status 64 (ArgumentParser's for a usage error), and the previous run's artifacts stay as they were. One table of
/// bad values per chapter; a numeric option without a row fails the coverage check, so the table cannot fall behind.
final class OptionValidationTests: XCTestCase {
    static let common = ["--scale", "smoke", "--out", "/tmp/out", "--data-dir", "/tmp/data"]

    /// A bad value: the arguments after the common ones, and words the one-line message must contain.
    struct Bad {
        var arguments: [String]
        var says: String
        init(_ arguments: [String], _ says: String) { self.arguments = arguments; self.says = says }
    }

    /// Bad values of the common options, tried on every chapter.
    static let commonBad = [
        Bad(["--seed", "-1"], "invalid"), Bad(["--seed", "x"], "invalid"), Bad(["--seed", "18446744073709551616"], "invalid"),
    ]

    static let chapter00 = [
        Bad(["--tokens", "0"], "--tokens"), Bad(["--tokens", "-5"], "--tokens"), Bad(["--tokens", "9223372036854775807"], "--tokens"),
        Bad(["--learning-rate", "0"], "--learning-rate"), Bad(["--learning-rate", "-1e-3"], "--learning-rate"),
        Bad(["--learning-rate", "nan"], "--learning-rate"), Bad(["--learning-rate", "inf"], "--learning-rate"),
        Bad(["--stop-after", "0"], "--stop-after"), Bad(["--stop-after", "-3"], "--stop-after"),
        Bad(["--batch-size", "0"], "--batch-size"), Bad(["--batch-size", "-2"], "--batch-size"), Bad(["--batch-size", "5000"], "--batch-size"),
        Bad(["--scale", "paper", "--tokens", "1000"], "--tokens does not apply"),
        Bad(["--scale", "paper", "--batch-size", "8"], "--batch-size does not apply"),
        Bad(["--scale", "paper", "--compare-with", "elsewhere"], "--compare-with does not apply"),
        Bad(["--compare-with", "/tmp/out/"], "this run's own --out"),
    ]

    static let chapter01 = [
        Bad(["--table-rows", "-1"], "--table-rows must be 0 or more"),
    ]

    static let chapter02 = [
        Bad(["--training-records", "0"], "--training-records must be 1 or more"),
        Bad(["--training-records", "-5"], "--training-records must be 1 or more"),
        Bad(["--training-records", "many"], "--training-records"),
    ]

    static let chapter03 = [
        Bad(["--utilisation", "0"], "--utilisation"), Bad(["--utilisation", "-0.3"], "--utilisation"),
        Bad(["--utilisation", "1.5"], "--utilisation"), Bad(["--utilisation", "nan"], "--utilisation"),
        Bad(["--utilisation", "1e-300"], "--utilisation"),
        Bad(["--tokens-per-record", "0"], "--tokens-per-record"), Bad(["--tokens-per-record", "-5"], "--tokens-per-record"),
        Bad(["--tokens-per-record", "inf"], "--tokens-per-record"), Bad(["--tokens-per-record", "1e300"], "--tokens-per-record"),
        Bad(["--sequence", "0"], "--sequence"), Bad(["--sequence", "-512"], "--sequence"), Bad(["--sequence", "nan"], "--sequence"),
        Bad(["--sequence", "512.5"], "--sequence"), Bad(["--sequence", "1e300"], "--sequence"),
    ]

    static let chapter04 = [
        Bad(["--batch-size", "0"], "--batch-size"), Bad(["--batch-size", "-8"], "--batch-size"),
        Bad(["--batch-size", "4611686018427387904"], "--batch-size"),
        Bad(["--micro-batch", "0"], "--micro-batch"), Bad(["--micro-batch", "-1"], "--micro-batch"),
        Bad(["--micro-batch", "3", "--batch-size", "8"], "--micro-batch 3 does not divide the batch of 8"),
        Bad(["--micro-batch", "16", "--batch-size", "8"], "--micro-batch 16 does not divide the batch of 8"),
        Bad(["--epochs", "0"], "--epochs"), Bad(["--epochs", "-2"], "--epochs"), Bad(["--epochs", "9223372036854775807"], "--epochs"),
        Bad(["--learning-rates", "inf,inf"], "--learning-rates"), Bad(["--learning-rates", "nan,nan"], "--learning-rates"),
        Bad(["--learning-rates", "1e-4,1e-3"], "the first (high) is below the second (low)"),
        Bad(["--learning-rates", "-1e-3,-1e-4"], "--learning-rates"), Bad(["--learning-rates", "0,0"], "--learning-rates"),
        Bad(["--learning-rates", "1e-3"], "--learning-rates"), Bad(["--learning-rates", "1e-3,"], "--learning-rates"),
        Bad(["--learning-rates", "1e-3,1e-4,1e-5"], "--learning-rates"), Bad(["--learning-rates", "a,b"], "--learning-rates"),
        Bad(["--weight-decay", "-0.1"], "--weight-decay"), Bad(["--weight-decay", "nan"], "--weight-decay"),
        Bad(["--weight-decay", "inf"], "--weight-decay"),
        Bad(["--stop-after", "0"], "--stop-after"), Bad(["--stop-after", "-3"], "--stop-after"),
        Bad(["--cells", ""], "--cells"), Bad(["--cells", ","], "--cells"), Bad(["--cells", "small-high,,large-low"], "--cells"),
        Bad(["--cells", "small-high,huge-high"], "huge-high"), Bad(["--models", "sweep", "--cells", "small-high"], "small-high"),
        Bad(["--init", "/nonexistent/model"], "/nonexistent/model"),
        Bad(["--scale", "paper", "--cells", "small-high"], "--cells does not apply"),
    ]

    static let chapter05 = [
        Bad(["--max-new-tokens", "0"], "--max-new-tokens"), Bad(["--max-new-tokens", "-1"], "--max-new-tokens"),
        Bad(["--nsmc-scored", "-1"], "--nsmc-scored"),
        Bad(["--temperature", "-1"], "--temperature"), Bad(["--temperature", "nan"], "--temperature"),
        Bad(["--temperature", "inf"], "--temperature"),
        Bad(["--top-k", "0"], "--top-k"), Bad(["--top-k", "-5"], "--top-k"),
        Bad(["--top-p", "0"], "--top-p"), Bad(["--top-p", "1.5"], "--top-p"), Bad(["--top-p", "nan"], "--top-p"),
        Bad(["--top-p", "-0.5"], "--top-p"),
        Bad(["--cells", ""], "--cells"), Bad(["--cells", "small-high,,large-low"], "--cells"),
        Bad(["--checkpoint", "dir", "--cells", "small-high"], "exclude each other"),
        Bad(["--no-bases", "--pretrained-from", "elsewhere"], "exclude each other"),
        Bad(["--no-summaries", "--summaries", "elsewhere"], "exclude each other"),
    ]

    static let chapter06 = [
        Bad(["--only", ""], "--only"), Bad(["--only", "seed,,eos"], "--only"), Bad(["--only", "nope"], #"unknown ablation "nope""#),
        Bad(["--scale", "paper"], "ablations train models"),
        Bad(["--training-records", "0"], "--training-records must be 1 or more"),
        Bad(["--training-records", "-1"], "--training-records must be 1 or more"),
    ]

    /// Parse `Command` with each bad value: it must fail as a usage error (exit 64) with a one-line message that says
    /// what is wrong. Returns the options (by flag) the rows exercise.
    @discardableResult
    func check<Command: ChapterCommand>(_ type: Command.Type, _ rows: [Bad], file: StaticString = #filePath,
                                        line: UInt = #line) -> Set<String> {
        for bad in rows + Self.commonBad {
            let arguments = Self.common + bad.arguments
            do {
                _ = try Command.parse(arguments)
                XCTFail("\(Command.chapter.executable) \(bad.arguments) was accepted", file: file, line: line)
            } catch {
                let message = Command.message(for: error)
                XCTAssertEqual(Command.exitCode(for: error).rawValue, 64, "\(bad.arguments): \(message)", file: file, line: line)
                XCTAssertTrue(message.contains(bad.says), "\(Command.chapter.executable) \(bad.arguments): \(message)", file: file, line: line)
                XCTAssertFalse(message.contains("\n"), "\(bad.arguments): not one line: \(message)", file: file, line: line)
                XCTAssertFalse(message.contains("Missing value"), "\(bad.arguments): \(message)", file: file, line: line)
            }
        }
        return Set((rows + Self.commonBad).flatMap { $0.arguments.filter { $0.hasPrefix("--") } })
    }

    /// The numeric options of a parsed command (by flag), found by reflection as RecordedOptions finds every option.
    func numericOptions(of command: Any) -> Set<String> {
        var found: Set<String> = []
        for (name, value) in RecordedOptions.parsedValues(of: command) {
            if name == "common" { found.formUnion(numericOptions(of: value)); continue }
            let type = "\(Swift.type(of: value))"
            let numeric = ["Int", "Double", "Float", "UInt64"].contains { type == $0 || type == "Optional<\($0)>" }
            if numeric { found.insert("--" + RecordedOptions.snakeCase(name).replacingOccurrences(of: "_", with: "-")) }
        }
        return found
    }

    /// Every numeric option has a row, under the flag it is spelled with (a renamed flag maps here).
    func assertCovered<Command: ChapterCommand>(_ type: Command.Type, _ covered: Set<String>, file: StaticString = #filePath,
                                                line: UInt = #line) throws {
        let spelled = ["--init-from": "--init", "--output-directory": "--out", "--data-directory": "--data-dir"]
        let numeric = Set(numericOptions(of: try Command.parse(Self.common)).map { spelled[$0] ?? $0 })
        XCTAssertTrue(numeric.isSubset(of: covered), "\(Command.chapter.executable): no bad value tried for \(numeric.subtracting(covered).sorted())",
                      file: file, line: line)
    }

    func testChapter00RefusesBadValues() throws {
        try assertCovered(PretrainingChapter.self, check(PretrainingChapter.self, Self.chapter00))
    }

    func testChapter01RefusesBadValues() throws {
        try assertCovered(DataRepairChapter.self, check(DataRepairChapter.self, Self.chapter01))
    }

    func testChapter02RefusesBadValues() throws {
        try assertCovered(PromptingChapter.self, check(PromptingChapter.self, Self.chapter02))
    }

    func testChapter03RefusesBadValues() throws {
        try assertCovered(ModelConfigChapter.self, check(ModelConfigChapter.self, Self.chapter03))
    }

    /// The issue's cases: --batch-size 0 and --micro-batch 0 trapped (division by zero); --epochs 0 and --cells ""
    /// deleted the previous manifest and failed in gnuplot; a micro-batch that does not divide the batch misstated the
    /// notebook; inf rates passed and misordered rates trained the "high" cell at the lower rate.
    func testChapter04RefusesBadValues() throws {
        try assertCovered(TrainingChapter.self, check(TrainingChapter.self, Self.chapter04))
    }

    func testChapter05RefusesBadValues() throws {
        try assertCovered(EvaluationChapter.self, check(EvaluationChapter.self, Self.chapter05))
    }

    func testChapter06RefusesBadValues() throws {
        try assertCovered(AblationsChapter.self, check(AblationsChapter.self, Self.chapter06))
    }

    /// Good values still parse (the checks refuse only what is wrong).
    func testGoodValuesParse() throws {
        _ = try DataRepairChapter.parse(Self.common + ["--table-rows", "0", "--seed", "0"])
        _ = try ModelConfigChapter.parse(Self.common + ["--utilisation", "1", "--tokens-per-record", "0.5", "--sequence", "2048"])
        _ = try TrainingChapter.parse(Self.common + ["--batch-size", "8", "--micro-batch", "4", "--epochs", "1",
                                                      "--learning-rates", "1e-3,1e-3", "--cells", "small-high,large-low",
                                                      "--weight-decay", "0", "--stop-after", "1"])
        _ = try TrainingChapter.parse(Self.common + ["--models", "sweep", "--cells", "1.3b-high"])
        _ = try EvaluationChapter.parse(Self.common + ["--nsmc-scored", "0", "--temperature", "0.7", "--top-p", "1", "--top-k", "1"])
        _ = try AblationsChapter.parse(Self.common + ["--only", "seed,eos"])
    }
}

/// The same checks on the real executables: exit 64, the message on the first line, and the previous run's folder
/// exactly as it was (no manifest deleted, no file written).
final class OptionValidationProcessTests: ScratchCase {
    /// A finished-looking chapter folder: a manifest and an output.
    func previousRun(_ chapter: Chapter, out: String) throws -> [String: [UInt8]] {
        let folder = out + "/" + chapter.folder
        try FileIO.writeAtomically(folder + "/manifest.json", text: "{\"chapter\": \"\(chapter.folder)\", \"outputs\": {\"a.txt\": \"x\"}}\n")
        try FileIO.writeAtomically(folder + "/a.txt", text: "a previous result\n")
        return try snapshot(folder)
    }

    func snapshot(_ folder: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for file in try Tree.files(folder) { files[file] = try FileIO.read(folder + "/" + file) }
        return files
    }

    func testABadOptionExits64AndLeavesThePreviousRunUntouched() throws {
        let chapters = try Chapters.locate()
        let cases: [(Chapter, [String])] = [
            (.dataRepair, ["--table-rows", "-1"]), (.modelConfig, ["--sequence", "nan"]),
            (.training, ["--epochs", "0"]), (.training, ["--cells", ""]), (.training, ["--batch-size", "0"]),
            (.training, ["--micro-batch", "0"]), (.training, ["--seed", "-1"]),
        ]
        for (chapter, arguments) in cases {
            let out = scratch + "/" + arguments.joined(separator: "_").replacingOccurrences(of: "-", with: "")
            let before = try previousRun(chapter, out: out)
            let log = out + ".log"
            let status = try chapters.run(chapter, Chapters.common(out: out) + arguments, log: log)
            let output = try Tree.text(log)
            XCTAssertEqual(status, 64, "\(chapter.executable) \(arguments): \(output)")
            XCTAssertTrue(output.hasPrefix("Error: "), "\(arguments): \(output)")
            XCTAssertEqual(try snapshot(out + "/" + chapter.folder), before, "\(chapter.executable) \(arguments) touched the previous run")
        }
    }

    /// `inspect logits --ids 1,,2` ran on two ids; `inspect rouge` on an empty file printed a mean of 0 over no pairs.
    func testInspectRefusesAnEmptyIdAndAFileWithoutPairs() throws {
        let chapters = try Chapters.locate()
        let inspect = chapters.bin + "/inspect"
        guard FileManager.default.isExecutableFile(atPath: inspect) else { throw XCTSkip("\(inspect) is not built") }
        func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: inspect)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }
        for ids in ["1,,2", "", ",1", "1,x", "-1", "1,"] {
            let (status, output) = try run(["logits", "--checkpoint", scratch, "--ids", ids, "--out", scratch + "/l.safetensors"])
            XCTAssertEqual(status, 64, "--ids \(ids): \(output)")
            XCTAssertTrue(output.hasPrefix("Error: ") && output.contains("--ids") && !output.contains("Missing value"), "--ids \(ids): \(output)")
        }
        for (name, text) in [("empty", ""), ("blank", "\n\n  \n")] {
            let pairs = scratch + "/\(name).jsonl"
            try FileIO.writeAtomically(pairs, text: text)
            let (status, output) = try run(["rouge", "--pairs", pairs])
            XCTAssertNotEqual(status, 0, "\(name): \(output)")
            XCTAssertTrue(output.contains(pairs) && output.contains("no pairs"), "\(name): \(output)")
            XCTAssertFalse(output.contains("mean_of"), "\(name): \(output)")
        }
    }
}
