// `inspect`: small utilities that look inside the project's files. Each subcommand lives in its own file here.
import ArgumentParser

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look inside the project's files.",
        subcommands: [TokenizeCommand.self, TrainTokenizerCommand.self])
}

Inspect.main()
