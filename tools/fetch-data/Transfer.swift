// One file over the wire: curl in a subprocess (https, http and file URLs alike; it reads the proxy variables
// https_proxy, http_proxy, all_proxy and no_proxy itself). No HTTP code of our own.
//
// What matters is why a transfer failed, because each reason asks for something different: a host that cannot be
// reached means stop at once (no network, a proxy, a mirror down); a file that is not there means try a stand-in;
// a transfer cut short means nothing of it may be used.
import Foundation

enum TransferFailure: Error, Equatable {
    case unreachable(String)    // name resolution, connection, proxy or timeout: nothing will get through
    case notFound(String)       // HTTP 404/410, or no such file in a mirror folder
    case interrupted(String)    // the transfer began and was cut short
    case failed(String)         // anything else curl reports (HTTP 403 or 500, a TLS error, a full disk)

    var message: String {
        switch self { case .unreachable(let m), .notFound(let m), .interrupted(let m), .failed(let m): return m }
    }
}

enum Transfer {
    /// Seconds to wait for a connection: long enough for a slow network, short enough that no network fails soon.
    static let connectTimeout = 20

    /// Copy `url` into `path` (which is overwritten). The caller decides whether the bytes are any good.
    static func download(_ url: String, to path: String) throws(TransferFailure) {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "--fail", "--location", "--silent", "--show-error",
                          "--connect-timeout", String(connectTimeout), "--write-out", "%{http_code}",
                          "--output", path, url]
        let status = Pipe(), errors = Pipe()
        curl.standardOutput = status
        curl.standardError = errors
        do { try curl.run() } catch {
            throw .failed("cannot start curl (\(error)); install it: apt-get install curl")
        }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let httpCode = String(decoding: status.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        if curl.terminationReason == .uncaughtSignal {
            throw .interrupted("curl was ended by signal \(curl.terminationStatus) during the transfer of \(url)")
        }
        if curl.terminationStatus == 127 { throw .failed("curl is not installed: apt-get install curl") }
        if let failure = classify(exitStatus: curl.terminationStatus, httpCode: httpCode, message: errorText, url: url) {
            throw failure
        }
    }

    /// curl's exit status (see `man curl`, EXIT CODES) as one of the reasons above; nil for success.
    static func classify(exitStatus: Int32, httpCode: String, message: String, url: String) -> TransferFailure? {
        let said = "\(message) [curl status \(exitStatus)]"
        switch exitStatus {
        case 0: return nil
        case 5, 6, 7, 28: return .unreachable(said)   // proxy or host not resolved, connection refused, timed out
        case 22 where httpCode == "404" || httpCode == "410", 37: return .notFound("\(url): \(said)")
        case 18, 56, 92: return .interrupted("\(url): \(said)")   // partial file, receive failure, HTTP/2 stream
        default: return .failed("\(url): \(said)")
        }
    }
}
