// Which of OpenBLAS's kernel families ("cores") runs every matrix product, and how the project makes it the right one.
//
// A dynamic OpenBLAS build carries kernels for many CPU generations and picks one when the library loads, from the
// CPU's identity. Debian's 0.3.21 does not know CPUs newer than itself: on an Intel Xeon of family 6, model 207 it falls
// back to its Prescott (SSE3) kernels, a fifth of what the machine does. The CPU's *features* say what it can run, so:
//
//   1. read the features from /proc/cpuinfo (the kernel lists only what the OS has enabled);
//   2. if OpenBLAS chose an older family than those features allow, and nobody set OPENBLAS_CORETYPE, pick the
//      family that matches (SkylakeX for AVX-512F/BW/VL, Zen or Haswell for AVX2 + FMA);
//   3. try it in a child process (a wrong family can crash with an illegal instruction): one small product, compared
//      exactly with a plain loop; if it disagrees or crashes, keep OpenBLAS's choice and say so loudly;
//   4. re-execute the process with OPENBLAS_CORETYPE set, since OpenBLAS reads it only when it loads.
//
// `bench` does this first thing (`BLASCore.adoptBestCore()`); `scripts/reproduce.sh` asks `bench` for the choice and
// exports it to the chapters. The test command does neither and runs on the machine as it stands (REPRO_BLAS_CORE=
// as-found turns the choice off). An OPENBLAS_CORETYPE the user (or the environment) set is respected, unless
// REPRO_BLAS_CORE=best asks to choose over it.
// `BLAS.coreReport` says, in any process, which family runs and whether it is a fallback.
import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

public enum BLASCore {
    /// The environment variables of the choice. OPENBLAS_CORETYPE is OpenBLAS's own; the others are ours.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// "as-found" turns the choice off (the test command); unset or "auto" lets bench and the reproduce command choose
    /// where OPENBLAS_CORETYPE is not set; "best" chooses even over an OPENBLAS_CORETYPE (the user asks for it, e.g.
    /// where the environment sets an older family, as on the Zen 5 machines that set Haswell).
    public static let modeVariable = "REPRO_BLAS_CORE"
    /// Set beside OPENBLAS_CORETYPE when we chose it, and to what OpenBLAS had found by itself: reports read them.
    public static let chosenVariable = "REPRO_BLAS_CORE_CHOSEN"
    public static let foundVariable = "REPRO_BLAS_CORE_FOUND"
    /// "<core>: <why>" when a candidate failed its check and OpenBLAS's own choice stayed.
    public static let rejectedVariable = "REPRO_BLAS_CORE_REJECTED"
    /// Set in the child that checks a candidate: `adoptBestCore()` then runs the check and exits.
    static let probeVariable = "REPRO_BLAS_CORE_PROBE"

    // MARK: - What the CPU can run

    /// The lines of /proc/cpuinfo that decide (those of its first processor).
    public struct CPU: Equatable {
        public var vendor = "", modelName = "", family = 0, model = 0
        public var flags: Set<String> = []

        public init(cpuinfo: String) {
            for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty, !flags.isEmpty { break }          // the first processor's block ends here
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingSpaces, value = line[line.index(after: colon)...].trimmingSpaces
                switch key {
                case "vendor_id": vendor = value
                case "model name": modelName = value
                case "cpu family": family = Int(value) ?? 0
                case "model": model = Int(value) ?? 0
                case "flags": flags = Set(value.split(separator: " ").map(String.init))
                default: break
                }
            }
        }

        /// This machine's, or an empty CPU (no features: nothing is chosen) where /proc/cpuinfo cannot be read.
        public static func current() -> CPU { CPU(cpuinfo: readFile("/proc/cpuinfo") ?? "") }

        public var hasAVX512: Bool { flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl"]) }
        public var hasAVX2FMA: Bool { flags.isSuperset(of: ["avx2", "fma"]) }
        var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

        /// The kernel family made for these features, or nil when the CPU has neither AVX-512 nor AVX2 + FMA (then
        /// OpenBLAS's own choice stands).
        public var bestCore: String? {
            if hasAVX512 { return "SkylakeX" }
            if hasAVX2FMA { return isAMD ? "Zen" : "Haswell" }
            return nil
        }

        /// How the features are named in messages.
        var featureName: String { hasAVX512 ? "AVX-512" : hasAVX2FMA ? "AVX2 + FMA" : "neither AVX-512 nor AVX2 + FMA" }
    }

    /// OpenBLAS's x86-64 families by the widest vectors their sgemm uses: 3 AVX-512, 2 AVX2 + FMA, 1 AVX, 0 SSE.
    /// Nil for a name not listed here: then nothing is judged or changed.
    public static func tier(of core: String) -> Int? {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return 1
        case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "nano", "barcelona", "opteron",
             "opteron_sse3", "opteron(sse3)", "athlon", "katmai", "coppermine", "northwood", "banias": return 0
        default: return nil
        }
    }

    // MARK: - The decision (pure, so tests can give it any machine)

    public enum Decision: Equatable {
        /// Leave the environment alone; `why` says why in a few words.
        case keep(why: String)
        /// Try this family, and use it if it passes its check.
        case tryCore(String)
    }

    /// `found`: the family OpenBLAS runs now; `environment`: the variables above as the process sees them.
    public static func decide(found: String, environment: [String: String], cpu: CPU) -> Decision {
        let mode = environment[modeVariable] ?? "auto"
        if mode == "as-found" { return .keep(why: "\(modeVariable)=as-found") }
        if let set = environment[coreTypeVariable], mode != "best" {     // even empty: OpenBLAS reads it if it is there
            return .keep(why: "\(coreTypeVariable)=\(set) is set, and respected")
        }
        if let rejected = environment[rejectedVariable] { return .keep(why: "already tried: \(rejected)") }
        guard let best = cpu.bestCore, let bestTier = tier(of: best) else {
            return .keep(why: "this CPU has \(cpu.featureName)")
        }
        guard let foundTier = tier(of: found) else { return .keep(why: "OpenBLAS's \(found) is a family not judged here") }
        if foundTier >= bestTier { return .keep(why: "OpenBLAS's own \(found) already suits \(cpu.featureName)") }
        return .tryCore(best)
    }

    /// The one-line account of the family in use, for notebooks and bench: `isFallback` when it is older than what the
    /// CPU can run, whatever the reason (then `line` starts with "WARNING" and says what to do).
    public static func report(inUse: String, environment: [String: String], cpu: CPU)
        -> (name: String, line: String, isFallback: Bool) {
        let set = environment[coreTypeVariable]
        let best = cpu.bestCore
        let weaker: Bool = {
            guard let best, let b = tier(of: best), let u = tier(of: inUse) else { return false }
            return u < b
        }()
        let slower = "matrix products run at a fraction of what this CPU (\(cpu.featureName)) does"
        if let set, environment[chosenVariable] == set {
            let found = environment[foundVariable].map { " over OpenBLAS's own \($0)" } ?? ""
            return (inUse, "OpenBLAS core: \(inUse), chosen for this CPU (\(cpu.featureName))\(found), checked against a plain loop", weaker)
        }
        if let set {
            guard weaker, let best else { return (inUse, "OpenBLAS core: \(inUse) (\(coreTypeVariable)=\(set) is set)", false) }
            return (inUse, "WARNING: OpenBLAS core \(inUse) is a fallback: \(coreTypeVariable)=\(set) is set (and respected), so \(slower); unset it, or set \(modeVariable)=best, to let bench and scripts/reproduce.sh choose \(best)", true)
        }
        if let rejected = environment[rejectedVariable] {
            return (inUse, "WARNING: OpenBLAS core \(inUse) is a fallback: \(rejected), so OpenBLAS's own choice stays and \(slower)", weaker)
        }
        if weaker, let best {
            return (inUse, "WARNING: OpenBLAS core \(inUse) is a fallback: OpenBLAS did not recognise this CPU, so \(slower); run through bench or scripts/reproduce.sh, which choose \(best), or set \(coreTypeVariable)=\(best)", true)
        }
        return (inUse, "OpenBLAS core: \(inUse), OpenBLAS's own choice for this CPU (\(cpu.featureName))", false)
    }

    // MARK: - The check

    /// One small product through cblas_sgemm against the textbook triple loop, on small integers (every product and
    /// sum is exact in fp32, so any difference at all is a wrong kernel). Two shapes: odd sizes (the kernels' edges)
    /// and one large enough for OpenBLAS to use its threads, in the transposes the model uses most.
    public static func productAgreesWithPlainLoop() -> Bool {
        for (m, n, k, transposeB) in [(37, 29, 41, false), (128, 96, 160, true)] {
            let a = (0..<(m * k)).map { Float(($0 * 7 + 3) % 5 - 2) }
            let b = (0..<(k * n)).map { Float(($0 * 11 + 1) % 7 - 3) }
            var c = [Float](repeating: 0, count: m * n)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(k), b, Int32(transposeB ? k : n), 0, &c, Int32(n))
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k { s += a[i * k + p] * (transposeB ? b[j * k + p] : b[p * n + j]) }
                    if c[i * n + j] != s { return false }
                }
            }
        }
        return true
    }

    public enum ProbeResult: Equatable {
        case passed
        case rejected(String)
    }

    /// Runs `executable` (this program by default) with OPENBLAS_CORETYPE=`core` in check mode, and reads its verdict.
    /// The executable must call `adoptBestCore()` first thing, which answers the check and exits.
    public static func probe(core: String, executable: String = "/proc/self/exe") -> ProbeResult {
        var environment = currentEnvironment()
        environment[coreTypeVariable] = core
        environment[probeVariable] = "1"
        environment["SWIFT_BACKTRACE"] = "enable=no"      // a crash is an answer here, not a bug to trace
        guard let (status, output) = run(executable, environment: environment) else {
            return .rejected("\(core) could not be checked (cannot start \(executable))")
        }
        if status.signal != 0 {
            return .rejected("\(core) crashed its check with signal \(status.signal)\(status.signal == SIGILL ? " (an instruction this CPU lacks)" : "")")
        }
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard status.code == 0, words.count == 2 else {
            return .rejected("\(core) could not be checked (the check exited with status \(status.code))")
        }
        let loaded = String(words[1])
        if loaded.lowercased() != core.lowercased() { return .rejected("OpenBLAS does not know \(core) (it loaded \(loaded))") }
        if words[0] != "agrees" { return .rejected("\(core) gave a wrong product against a plain loop") }
        return .passed
    }

    // MARK: - Putting it to work

    /// First thing in an executable's main. In a check child: run the check, print the verdict, exit. Otherwise
    /// decide; if a better family passes its check, re-execute this program with it (never returns then); if it fails,
    /// warn on stderr, record why in REPRO_BLAS_CORE_REJECTED and go on with OpenBLAS's own choice.
    public static func adoptBestCore() {
        if getenv(probeVariable) != nil {
            print(productAgreesWithPlainLoop() ? "agrees" : "disagrees", BLAS.coreName)
            exit(0)
        }
        let found = BLAS.coreName
        guard case .tryCore(let core) = decide(found: found, environment: currentEnvironment(), cpu: .current()) else {
            return
        }
        switch probe(core: core) {
        case .passed:
            setenv(coreTypeVariable, core, 1)
            setenv(chosenVariable, core, 1)
            setenv(foundVariable, found, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // Only reached when the exec itself failed: carry on as found.
            let why = "re-executing with \(coreTypeVariable)=\(core) failed (\(String(cString: strerror(errno))))"
            for name in [coreTypeVariable, chosenVariable, foundVariable] { unsetenv(name) }
            reject(why)
        case .rejected(let why):
            reject(why)
        }
    }

    private static func reject(_ why: String) {
        setenv(rejectedVariable, why, 1)
        fputs(BLAS.coreReport.line + "\n", stderr)
    }

    /// Shell lines that hand this process's choice on (for scripts/reproduce.sh to `eval`): the exports of the
    /// variables above that are set, or nothing when the environment stays as it is.
    public static var environmentExports: String {
        let environment = currentEnvironment()
        guard environment[chosenVariable] != nil || environment[rejectedVariable] != nil else { return "" }
        return [coreTypeVariable, chosenVariable, foundVariable, rejectedVariable].compactMap { name in
            environment[name].map { "export \(name)='\($0.replacingSingleQuotes)'" }
        }.joined(separator: "\n")
    }

    // MARK: - Small POSIX helpers (Tensor has no Foundation)

    static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs a program with an environment, its standard output captured (its errors dropped), and waits for it.
    static func run(_ executable: String, environment: [String: String])
        -> (status: (code: Int32, signal: Int32), output: String)? {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)   // OpenBLAS's "Core not found"
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, arguments, variables)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipeEnds[0], &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f, code = (status >> 8) & 0xff     // WTERMSIG, WEXITSTATUS
        return ((signal == 0 ? code : -1, signal), String(decoding: bytes, as: UTF8.self))
    }
}

extension BLAS {
    /// Which kernel family runs this process's products, in one line, and whether it is a fallback (older than the
    /// CPU can run). Notebooks print `line`; print it prominently when `isFallback`.
    public static var coreReport: (name: String, line: String, isFallback: Bool) {
        BLASCore.report(inUse: coreName, environment: BLASCore.currentEnvironment(), cpu: .current())
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

private extension String {
    var replacingSingleQuotes: String { split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") }
}
