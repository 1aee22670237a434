import Foundation
import XCTest
@testable import Tensor

/// The choice of OpenBLAS's kernel family: the decision on recorded machines, and the real check and re-execution on
/// this one (through `bench`, which calls `BLASCore.adoptBestCore()` first thing).
final class BLASCoreTests: XCTestCase {
    let intel = BLASCore.CPU(cpuinfo: CPUInfoFixtures.intelXeon207)
    let zen5 = BLASCore.CPU(cpuinfo: CPUInfoFixtures.amdZen5)
    let zen1 = BLASCore.CPU(cpuinfo: CPUInfoFixtures.amdZen1)
    let old = BLASCore.CPU(cpuinfo: CPUInfoFixtures.noAVX2)

    func testReadsTheFirstProcessorOfCpuinfo() {
        XCTAssertEqual(intel.vendor, "GenuineIntel")
        XCTAssertEqual(intel.family, 6)
        XCTAssertEqual(intel.model, 207)
        XCTAssertEqual(intel.modelName, "Intel(R) Xeon(R) Platinum 8575C")
        XCTAssertTrue(intel.flags.contains("avx512_bf16"))
        XCTAssertFalse(intel.flags.contains("sse") && intel.flags.count == 3, "the second processor's block was read")
        XCTAssertEqual(zen5.family, 26)
        XCTAssertEqual(zen1.family, 23)
        XCTAssertEqual(BLASCore.CPU(cpuinfo: "").flags, [])
    }

    func testTheFamilyMadeForEachMachine() {
        XCTAssertEqual(intel.bestCore, "SkylakeX")
        XCTAssertEqual(zen5.bestCore, "SkylakeX")
        XCTAssertEqual(zen1.bestCore, "Zen")
        XCTAssertNil(old.bestCore)
        XCTAssertFalse(old.hasAVX2FMA)
        XCTAssertNil(BLASCore.CPU(cpuinfo: "").bestCore)
    }

    func testDecision() {
        func decide(_ found: String, _ environment: [String: String], _ cpu: BLASCore.CPU) -> BLASCore.Decision {
            BLASCore.decide(found: found, environment: environment, cpu: cpu)
        }
        // The Xeon: OpenBLAS falls back to Prescott; AVX-512 asks for SkylakeX.
        XCTAssertEqual(decide("Prescott", [:], intel), .tryCore("SkylakeX"))
        XCTAssertEqual(decide("Sandybridge", [:], intel), .tryCore("SkylakeX"))
        XCTAssertEqual(decide("Haswell", [:], zen5), .tryCore("SkylakeX"))
        XCTAssertEqual(decide("Prescott", [:], zen1), .tryCore("Zen"))
        // Already right: nothing changes.
        for (found, cpu) in [("SkylakeX", intel), ("Cooperlake", intel), ("SkylakeX", zen5), ("Zen", zen1), ("Haswell", zen1)] {
            guard case .keep = decide(found, [:], cpu) else { return XCTFail("\(found) on \(cpu.modelName) was changed") }
        }
        // A user's (or the environment's) setting is respected: the Zen 5 machines that set Haswell keep it.
        guard case .keep(let why) = decide("Haswell", ["OPENBLAS_CORETYPE": "Haswell"], zen5) else { return XCTFail() }
        XCTAssertTrue(why.contains("respected"), why)
        guard case .keep = decide("Prescott", ["OPENBLAS_CORETYPE": ""], intel) else { return XCTFail("empty setting") }
        // …unless the user asks for the best family over it.
        XCTAssertEqual(decide("Haswell", ["OPENBLAS_CORETYPE": "Haswell", "REPRO_BLAS_CORE": "best"], zen5), .tryCore("SkylakeX"))
        // The test command; a candidate that failed its check; a family not judged; a CPU with neither feature set.
        for (found, environment, cpu) in [("Prescott", ["REPRO_BLAS_CORE": "as-found"], intel),
                                          ("Prescott", ["REPRO_BLAS_CORE": "as-found", "OPENBLAS_CORETYPE": "Prescott"], intel),
                                          ("Prescott", ["REPRO_BLAS_CORE_REJECTED": "SkylakeX crashed"], intel),
                                          ("SomeFutureCore", [:], intel), ("Prescott", [:], old)] {
            guard case .keep = decide(found, environment, cpu) else { return XCTFail("\(found) \(environment) was changed") }
        }
    }

    func testReportSaysLoudlyWhenItIsAFallback() {
        let found = BLASCore.report(inUse: "Prescott", environment: [:], cpu: intel)
        XCTAssertTrue(found.isFallback)
        XCTAssertTrue(found.line.hasPrefix("WARNING") && found.line.contains("OPENBLAS_CORETYPE=SkylakeX"), found.line)

        let forced = BLASCore.report(inUse: "Haswell", environment: ["OPENBLAS_CORETYPE": "Haswell"], cpu: zen5)
        XCTAssertTrue(forced.isFallback)
        XCTAssertTrue(forced.line.hasPrefix("WARNING") && forced.line.contains("respected"), forced.line)

        let rejected = BLASCore.report(inUse: "Prescott", environment: ["REPRO_BLAS_CORE_REJECTED": "SkylakeX crashed its check"], cpu: intel)
        XCTAssertTrue(rejected.isFallback)
        XCTAssertTrue(rejected.line.contains("SkylakeX crashed its check"), rejected.line)

        let chosen = BLASCore.report(inUse: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "SkylakeX", "REPRO_BLAS_CORE_CHOSEN": "SkylakeX",
                                                                       "REPRO_BLAS_CORE_FOUND": "Prescott"], cpu: intel)
        XCTAssertFalse(chosen.isFallback)
        XCTAssertEqual(chosen.line, "OpenBLAS core: SkylakeX, chosen for this CPU (AVX-512) over OpenBLAS's own Prescott, checked against a plain loop")

        for (core, cpu) in [("Zen", zen1), ("Haswell", zen1), ("SkylakeX", intel), ("Prescott", old)] {
            let fine = BLASCore.report(inUse: core, environment: [:], cpu: cpu)
            XCTAssertFalse(fine.isFallback, fine.line)
            XCTAssertEqual(fine.name, core)
        }
    }

    // MARK: - The real path, on this machine

    func testTheCheckAgreesWithThePlainLoopOnTheCoreInUse() {
        XCTAssertTrue(BLASCore.productAgreesWithPlainLoop(), "OpenBLAS's \(BLAS.coreName) gives a wrong product")
    }

    /// `bench` as built next to this test bundle (`swift build --build-tests` builds it).
    func bench() throws -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let path = here + "/bench"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("bench is not built next to the tests (\(path)); run `swift build --build-tests` first")
        }
        return path
    }

    func testProbePassesTheFamilyThisCPUIsMadeFor() throws {
        let core = BLASCore.CPU.current().bestCore ?? BLAS.coreName
        XCTAssertEqual(BLASCore.probe(core: core, executable: try bench()), .passed)
    }

    func testProbeRejectsFamiliesThatCannotRunHere() throws {
        let bench = try bench()
        guard case .rejected(let unknown) = BLASCore.probe(core: "NoSuchCore", executable: bench) else { return XCTFail() }
        XCTAssertTrue(unknown.contains("does not know NoSuchCore"), unknown)
        if !BLASCore.CPU.current().hasAVX512 {
            // AVX-512 kernels on a CPU without AVX-512: the child dies of an illegal instruction, the parent goes on.
            guard case .rejected(let crash) = BLASCore.probe(core: "SkylakeX", executable: bench) else { return XCTFail() }
            XCTAssertTrue(crash.contains("signal 4"), crash)
        }
    }

    /// The whole path: bench, started with an old family forced and REPRO_BLAS_CORE=best, checks the family this CPU
    /// is made for, re-executes itself with it, and hands the choice on as the reproduce command reads it.
    func testBenchReexecutesWithTheChosenFamilyAndHandsItOn() throws {
        guard let best = BLASCore.CPU.current().bestCore else { throw XCTSkip("this CPU has neither AVX-512 nor AVX2 + FMA") }
        var environment = BLASCore.currentEnvironment()
        environment["OPENBLAS_CORETYPE"] = "Prescott"
        environment["REPRO_BLAS_CORE"] = "best"
        for name in ["REPRO_BLAS_CORE_CHOSEN", "REPRO_BLAS_CORE_FOUND", "REPRO_BLAS_CORE_REJECTED"] { environment[name] = nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try bench())
        process.arguments = ["--blas-core-exports"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(text, """
            export OPENBLAS_CORETYPE='\(best)'
            export REPRO_BLAS_CORE_CHOSEN='\(best)'
            export REPRO_BLAS_CORE_FOUND='Prescott'

            """)
    }

    func testNoExportsWhenNothingWasChosen() {
        // This test process made no choice (it never calls adoptBestCore), so the reproduce command would export nothing.
        if getenv("REPRO_BLAS_CORE_CHOSEN") == nil && getenv("REPRO_BLAS_CORE_REJECTED") == nil {
            XCTAssertEqual(BLASCore.environmentExports, "")
        }
    }
}
