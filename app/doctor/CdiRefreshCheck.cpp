#include "CdiRefreshCheck.h"

#include "CdiCheck.h"
#include "engine/DockerClient.h"

#include <QHash>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#include <memory>

using Status = DoctorCheck::Status;

namespace {

constexpr int kTimeoutMs = 10000;

const QString kPathUnit = QStringLiteral("nvidia-cdi-refresh.path");
const QString kServiceUnit = QStringLiteral("nvidia-cdi-refresh.service");

// systemctl show's answer for several units: KEY=value lines, a blank line between units.
QHash<QString, QHash<QString, QString>> unitsShown(const QByteArray &out)
{
    QHash<QString, QHash<QString, QString>> units;
    QHash<QString, QString> unit;
    const auto flush = [&]() {
        if (!unit.value(QStringLiteral("Id")).isEmpty())
            units.insert(unit.value(QStringLiteral("Id")), unit);
        unit.clear();
    };
    for (const QByteArray &line : out.split('\n')) {
        const QString text = QString::fromUtf8(line).trimmed();
        if (text.isEmpty()) {
            flush();
            continue;
        }
        const qsizetype eq = text.indexOf(QLatin1Char('='));
        if (eq > 0)
            unit.insert(text.left(eq), text.mid(eq + 1));
    }
    flush();
    return units;
}

} // namespace

DoctorCheck::Verdict CdiRefreshCheck::judge(const DoctorFacts &facts, int exitCode,
                                            const QByteArray &out, const QByteArray &err)
{
    const QHash<QString, QHash<QString, QString>> shown = unitsShown(out);
    if (shown.isEmpty()) {
        // "System has not been booted with systemd as init system (PID 1). Can't operate."
        const QString said = QString::fromUtf8(err).trimmed().section(QLatin1Char('\n'), 0, 0);
        return {Status::Skip, tr("Not applicable: systemd does not run here (systemctl: %1).")
                                  .arg(said.isEmpty() ? tr("exit code %1").arg(exitCode) : said)};
    }
    // Where CDI is the way GPUs are asked for, a spec left stale by a driver upgrade breaks them.
    const bool needed = facts.presetsWantCdi() || facts.info.isPodman();
    const QHash<QString, QString> path = shown.value(kPathUnit);
    const QHash<QString, QString> service = shown.value(kServiceUnit);
    const auto loaded = [](const QHash<QString, QString> &unit) {
        return unit.value(QStringLiteral("LoadState")) == QLatin1String("loaded");
    };
    if (!loaded(path) && !loaded(service)) {
        const QString detail = tr("systemd has no %1 (it came with the NVIDIA Container Toolkit "
                                  "1.18): nothing regenerates the CDI specification when the "
                                  "driver changes.")
                                   .arg(kPathUnit);
        if (!needed)
            return {Status::Skip, detail};
        return {Status::Warn, detail,
                tr("Install NVIDIA Container Toolkit 1.18 or newer, or regenerate the "
                   "specification after each driver upgrade."),
                CdiCheck::generateCommand()};
    }
    const auto state = [](const QHash<QString, QString> &unit) {
        const QString file = unit.value(QStringLiteral("UnitFileState"));
        return QStringLiteral("%1, %2%3")
            .arg(unit.value(QStringLiteral("ActiveState")), unit.value(QStringLiteral("SubState")),
                 file.isEmpty() ? QString() : QStringLiteral(", ") + file);
    };
    const QString result = service.value(QStringLiteral("Result"));
    if (service.value(QStringLiteral("ActiveState")) == QLatin1String("failed")
        || (!result.isEmpty() && result != QLatin1String("success"))) {
        return {needed ? Status::Fail : Status::Warn,
                tr("The last CDI refresh failed: %1 is %2 (%3).")
                    .arg(kServiceUnit, state(service), result),
                tr("See why with 'journalctl -u %1', fix it, and run it again: the CDI "
                   "specification may not match the driver.")
                    .arg(kServiceUnit),
                QStringLiteral("sudo systemctl restart %1").arg(kServiceUnit)};
    }
    const bool watching = path.value(QStringLiteral("ActiveState")) == QLatin1String("active");
    const bool enabled = path.value(QStringLiteral("UnitFileState")) == QLatin1String("enabled");
    if (!watching || !enabled) {
        return {Status::Warn,
                tr("%1 is %2: a driver upgrade leaves the CDI specification as it was.")
                    .arg(kPathUnit, loaded(path) ? state(path) : tr("not installed")),
                tr("Enable it, so that the specification follows the driver and the toolkit."),
                QStringLiteral("sudo systemctl enable --now %1").arg(kPathUnit)};
    }
    return {Status::Pass,
            tr("%1 is %2: the CDI specification is regenerated when the driver or the toolkit "
               "changes; %3 is %4.")
                .arg(kPathUnit, state(path), kServiceUnit,
                     loaded(service) ? state(service) : tr("not installed"))};
}

void CdiRefreshCheck::run(const DoctorFacts &facts, QObject *context, const DoctorCheck::Done &done)
{
    if (facts.client->endpoint().isRemote()) {
        done({Status::Skip, tr("Not checked: the engine runs on %1, and the unit would be there.")
                                .arg(facts.client->endpoint().host)});
        return;
    }
    const QString systemctl = QStandardPaths::findExecutable(QStringLiteral("systemctl"));
    if (systemctl.isEmpty()) {
        done({Status::Skip, tr("Not applicable: this machine has no systemd (no systemctl).")});
        return;
    }
    auto *process = new QProcess(context);
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    // Only one answer: the facts as they are now, whatever the doctor learns later.
    const DoctorFacts known = facts;
    auto answered = std::make_shared<bool>(false);
    const auto finish = [process, done, answered](const DoctorCheck::Verdict &verdict) {
        if (*answered)
            return;
        *answered = true;
        process->deleteLater();
        done(verdict);
    };
    QObject::connect(timer, &QTimer::timeout, process, [process, finish]() {
        process->kill();
        finish({Status::Skip, tr("Not checked: systemctl did not answer within %1 seconds.")
                                  .arg(kTimeoutMs / 1000)});
    });
    QObject::connect(process, &QProcess::finished, process,
                     [process, finish, known](int code, QProcess::ExitStatus status) {
                         finish(judge(known, status == QProcess::NormalExit ? code : -1,
                                      process->readAllStandardOutput(),
                                      process->readAllStandardError()));
                     });
    QObject::connect(process, &QProcess::errorOccurred, process,
                     [process, finish](QProcess::ProcessError error) {
                         if (error != QProcess::FailedToStart)
                             return; // a crash also ends in finished()
                         finish({Status::Skip, tr("Not checked: systemctl could not be run (%1).")
                                                   .arg(process->errorString())});
                     });
    process->start(systemctl,
                   {QStringLiteral("show"),
                    QStringLiteral("--property=Id,LoadState,ActiveState,SubState,UnitFileState,"
                                   "Result"),
                    kPathUnit, kServiceUnit});
    timer->start(kTimeoutMs);
}
