// fetch-data — the reproduce command's first step: every data set the chapters read, fetched when missing, checked
// against tools/fetch-data/sources.txt, and placed in the data folder (REPRODUCE.md, "The data step").
//
// It takes the chapters' common options, so the reproduce command hands it the same arguments as every chapter and it
// resolves --data-dir exactly as they do; only --data-dir matters here. Its own options: --mirror and --sources.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ArgumentParser
import Plumbing
import Book

struct FetchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-data",
        abstract: "Fetch, check and place the data sets the chapters read (KoAlpaca v1.0, NSMC, sci-news-sum-kr-50, a Korean Wikipedia sample).",
        discussion: """
        A data set whose folder is missing or empty is fetched (from its canonical repository at a pinned commit, or \
        from a mirror), checked (sha256, bytes, record count) and only then moved into place, with its license and \
        hashes beside it (SOURCE.md, SHA256SUMS). A folder that already holds files is checked, never overwritten: \
        one this step placed must be unchanged; your own copy is used as is, with a warning for each file that is not \
        the published one. --scale, --out, --seed and --rerun are accepted, as every chapter takes them, and unused.
        """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Fetch from this mirror instead of the canonical repositories: a URL (https://, http://, file://) or a folder, laid out like a data folder (<mirror>/nsmc/ratings_test.txt, …). Default: $DATA_MIRROR.")
    var mirror: String?

    @Option(help: "The list of data sets, sources and hashes.")
    var sources: String = SourceList.defaultPath

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // lines in order with the errors, also when the output goes to a log
        let dataDirectory = common.resolvedDataDirectory
        let how = common.dataDirectory != nil ? "given by --data-dir"
            : dataDirectory == "data" ? "the default: there is no ../shared/data" : "the default: ../shared/data exists"
        print("fetch-data: data folder \(dataDirectory) (\(how))")
        let sets = try SourceList.load(sources)
        let environment = ProcessInfo.processInfo.environment
        let mirrorText = mirror ?? environment["DATA_MIRROR"].flatMap { $0.isEmpty ? nil : $0 }
        let step = DataStep(dataDirectory: dataDirectory, sets: sets, mirror: try mirrorText.map { try Mirror($0) },
                            environment: environment, say: { print($0) })
        try step.run()   // a StepError is printed by ArgumentParser as "Error: <what to do>", exit status 1
    }
}

FetchData.main()
