#include "LocalGpuHost.h"

#include "GpuLog.h"
#include "NvidiaSmiParser.h"
#include "ProcessOwners.h"

#include <QProcess>
#include <QTimer>

#include <memory>

LocalGpuHost::LocalGpuHost(QObject *parent) : GpuHost(parent) { }

Error LocalGpuHost::goneError() const
{
    return Error(Error::Code::NoDriver, noDriver(), QStringLiteral("nvidia-smi is not on PATH"));
}

void LocalGpuHost::nameOwners(GpuSnapshot snapshot, ProcessOwners &owners, int,
                              const SnapshotDone &done)
{
    owners.annotate(snapshot);
    done(std::move(snapshot));
}

void LocalGpuHost::runSmi(const QStringList &args, int timeoutMs, Done done)
{
    auto *process = new QProcess(this);
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    auto state = std::make_shared<int>(0); // 0 running, 1 timed out, 2 reported
    auto report = [process, state, done](Result<QByteArray> r) {
        if (*state == 2)
            return;
        *state = 2;
        process->deleteLater();
        done(std::move(r));
    };

    connect(timer, &QTimer::timeout, process, [process, state] {
        *state = 1;
        process->kill(); // finished() follows
    });
    connect(process, &QProcess::errorOccurred, this, [report, process](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return; // the others are followed by finished()
        qCDebug(lcGpu) << "nvidia-smi failed to start:" << process->errorString();
        report(
            Error(Error::Code::NoDriver, noDriver(), QStringLiteral("nvidia-smi is not on PATH")));
    });
    connect(process, &QProcess::finished, this,
            [report, process, state, timeoutMs](int code, QProcess::ExitStatus status) {
                if (*state == 1) {
                    report(Error(Error::Code::Timeout, QStringLiteral("nvidia-smi did not answer"),
                                 QStringLiteral("no output within %1 ms").arg(timeoutMs),
                                 QStringLiteral("The driver may be hung; check dmesg")));
                    return;
                }
                const QByteArray out = process->readAllStandardOutput();
                if (status != QProcess::NormalExit || code != 0) {
                    QString why = NvidiaSmiParser::failureReason(out + '\n'
                                                                 + process->readAllStandardError());
                    if (why.isEmpty())
                        why = QStringLiteral("nvidia-smi exited with code %1").arg(code);
                    else
                        why = QStringLiteral("nvidia-smi says \"%1\"").arg(why);
                    report(Error(Error::Code::NoDriver, noDriver(), why));
                    return;
                }
                report(out);
            });

    process->start(QStringLiteral("nvidia-smi"), args, QIODevice::ReadOnly);
    timer->start(timeoutMs);
}
