#include "ShellGpuHost.h"

#include "NvidiaSmiParser.h"
#include "ProcessOwners.h"
#include "transport/RemoteShell.h"

#include <QTimer>

namespace {

constexpr int kCommandNotFound = 127; // the shell's exit code for a command not on PATH

} // namespace

ShellGpuHost::ShellGpuHost(RemoteShell *shell, QObject *parent)
    : GpuHost(parent), m_shell(shell) { }

Error ShellGpuHost::goneError() const
{
    return Error(Error::Code::Ssh, QStringLiteral("Could not read the host's GPUs"),
                 QStringLiteral("its ssh connection is gone"));
}

void ShellGpuHost::runSmi(const QStringList &args, int timeoutMs, Done done)
{
    if (!m_shell) {
        QTimer::singleShot(0, this, [this, done = std::move(done)]() { done(goneError()); });
        return;
    }
    const QString host = m_shell->host();
    m_shell->run(
        QStringList{QStringLiteral("nvidia-smi")} + args, timeoutMs,
        [done, host](const Result<RemoteShell::Output> &r) {
            if (!r) {
                done(r.error());
                return;
            }
            const RemoteShell::Output &output = r.value();
            const QString what = noDriver() + QStringLiteral(" on ") + host;
            if (output.exitCode == kCommandNotFound) {
                done(Error(Error::Code::NoDriver, what,
                           QStringLiteral("nvidia-smi is not on the PATH of %1").arg(host)));
            } else if (output.exitCode != 0) {
                QString why = NvidiaSmiParser::failureReason(output.text);
                why = why.isEmpty() ? QStringLiteral("nvidia-smi on %1 exited with code %2")
                                          .arg(host)
                                          .arg(output.exitCode)
                                    : QStringLiteral("nvidia-smi on %1 says \"%2\"").arg(host, why);
                done(Error(Error::Code::NoDriver, what, why));
            } else {
                done(output.text);
            }
        });
}

void ShellGpuHost::nameOwners(GpuSnapshot snapshot, ProcessOwners &owners, int timeoutMs,
                              const SnapshotDone &done)
{
    // The host's /proc, in one command over the same shell; without an answer the owners stay
    // unknown and the figures still come.
    const QList<qint64> pids = ProcessOwners::pids(snapshot);
    if (pids.isEmpty() || !m_shell) {
        done(std::move(snapshot));
        return;
    }
    m_shell->run(ProcessOwners::remoteCommand(pids), timeoutMs,
                 [&owners, snapshot, done](const Result<RemoteShell::Output> &r) mutable {
                     QHash<qint64, ProcessOwners::Facts> facts;
                     if (r) {
                         facts = ProcessOwners::parseRemote(r.value().text);
                     } else {
                         for (qint64 pid : ProcessOwners::pids(snapshot))
                             facts[pid].reason = QStringLiteral("its host did not say: %1")
                                                     .arg(r.error().message());
                     }
                     owners.applyFacts(snapshot, facts);
                     owners.nameContainers(snapshot);
                     done(std::move(snapshot));
                 });
}
