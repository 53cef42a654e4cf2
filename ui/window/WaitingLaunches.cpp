#include "window/WaitingLaunches.h"

#include "engine/DockerClient.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "presets/Preset.h"

#include <QLoggingCategory>
#include <QSettings>

Q_LOGGING_CATEGORY(lcWaiting, "gpudeck.waiting", QtWarningMsg)

namespace {

const QString kGroup = QStringLiteral("launches/waiting");
const QString kEngine = QStringLiteral("engine");
// The launch as a preset document: one format for everything that stores a launch.
const QString kLaunch = QStringLiteral("launch");

} // namespace

namespace WaitingLaunches {

void remember(const LogView *logs)
{
    QList<Entry> waiting;
    const QList<LogPage *> pages = logs->pages();
    for (const LogPage *page : pages) {
        if (page->isWaitingForGpus() && page->launcher()->client())
            waiting.append({page->launcher()->client()->endpoint().url, page->launcher()->spec()});
    }
    QSettings settings;
    settings.remove(kGroup);
    if (waiting.isEmpty())
        return;
    settings.beginWriteArray(kGroup, int(waiting.size()));
    for (int i = 0; i < waiting.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(kEngine, waiting.at(i).engineUrl);
        settings.setValue(kLaunch,
                          Preset(QStringLiteral("waiting"), waiting.at(i).spec).toFileBytes());
    }
    settings.endArray();
}

QList<Entry> takeRemembered()
{
    QSettings settings;
    QList<Entry> entries;
    const int size = settings.beginReadArray(kGroup);
    for (int i = 0; i < size; ++i) {
        settings.setArrayIndex(i);
        const QString url = settings.value(kEngine).toString();
        const Result<Preset> launch = Preset::fromJson(settings.value(kLaunch).toByteArray());
        // A damaged entry is left out alone; the others still come back.
        if (url.isEmpty() || !launch) {
            qCWarning(lcWaiting) << "a waiting launch could not be read back:"
                                 << (launch ? QStringLiteral("no engine")
                                            : launch.error().message());
            continue;
        }
        entries.append({url, launch.value().spec()});
    }
    settings.endArray();
    settings.remove(kGroup);
    return entries;
}

QString bringBack(const EngineRegistry *registry,
                  const std::function<void(Engine *, const LaunchSpec &)> &start)
{
    int back = 0;
    QStringList gone;
    for (const Entry &waiting : takeRemembered()) {
        Engine *on = registry->find(waiting.engineUrl);
        if (on && on->client()) {
            start(on, waiting.spec);
            ++back;
        } else {
            gone << waiting.engineUrl;
        }
    }
    QString text;
    if (back > 0)
        text = back == 1 ? QStringLiteral("The launch that waited for GPUs when GPU Deck closed "
                                          "waits again.")
                         : QStringLiteral("The %1 launches that waited for GPUs when GPU Deck "
                                          "closed wait again.")
                               .arg(back);
    if (!gone.isEmpty()) {
        text += (text.isEmpty() ? QString() : QStringLiteral(" "))
                + QStringLiteral("Not brought back, their engine is no longer in the list: %1.")
                      .arg(gone.join(QStringLiteral(", ")));
    }
    return text;
}

} // namespace WaitingLaunches
