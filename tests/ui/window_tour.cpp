// Renders the README's screenshots of the window under a real X server (Xvfb): the preset bar,
// the equivalent command, a pull in progress and the doctor. It drives the window as a user would
// and shells out to ImageMagick's `import -window root` at each moment worth showing.
//   window_tour OUTDIR PULL_IMAGE NOHOOK_HOST    (engine from DOCKER_HOST; presets from
//                                                 GPUDECK_PRESET_DIR)
#include "doctor/DoctorDialog.h"
#include "engine/ImagePull.h"
#include "gpus/GpuPanel.h"
#include "images/PullDialog.h"
#include "presets/PresetBar.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QLineEdit>
#include <QProcess>
#include <QRect>
#include <QTabWidget>
#include <QTreeWidget>

#include <cstdio>
#include <functional>

namespace {

bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

void settle(int ms)
{
    waitFor([]() { return false; }, ms);
}

// The part of the screen that shows the point (no window manager: dialogs have no frame).
bool shoot(const QString &path, const QRect &area)
{
    const QString crop = QStringLiteral("%1x%2+%3+%4")
                             .arg(area.width())
                             .arg(area.height())
                             .arg(area.x())
                             .arg(area.y());
    const int rc = QProcess::execute(QStringLiteral("import"),
                                     {QStringLiteral("-window"), QStringLiteral("root"),
                                      QStringLiteral("-crop"), crop, path});
    std::fprintf(stderr, "%s: %s\n", qPrintable(path), rc == 0 ? "ok" : "failed");
    return rc == 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gpudeck-window-tour"));
    const QStringList args = QApplication::arguments();
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: window_tour OUTDIR PULL_IMAGE NOHOOK_HOST\n");
        return 2;
    }
    const QString out = args.at(1);
    MainWindow window;
    window.move(0, 0);
    window.resize(1500, 940);
    window.show();
    if (!waitFor([&]() { return window.engineKnown() && window.gpuPanel()->gpuCount() > 0; },
                 30000))
        return 1;

    // Presets: load one, then change a tick so that the bar says "modified"; the list open.
    PresetBar *bar = window.presetBar();
    bar->select(QStringLiteral("smi on gpus 1 and 3"));
    auto *tree = window.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    tree->topLevelItem(5)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    settle(1500);
    bar->combo()->showPopup();
    settle(500);
    shoot(out + QStringLiteral("/window-presets.png"), QRect(0, 0, 1500, 420));
    bar->combo()->hidePopup();

    // The equivalent command, Python tab in front.
    window.findChild<QTabWidget *>(QStringLiteral("commandTabs"))->setCurrentIndex(1);
    settle(500);
    shoot(out + QStringLiteral("/window-command.png"), window.frameGeometry());
    window.findChild<QTabWidget *>(QStringLiteral("commandTabs"))->setCurrentIndex(0);

    // A pull, caught half-way.
    PullDialog *pull = window.showPull(args.at(2), true);
    pull->move(480, 300);
    bool shot = false;
    QObject::connect(pull->pull(), &ImagePull::progress, pull, [&](qint64 received, qint64 total) {
        if (!shot && total > 0 && received > total / 4 && received < total * 3 / 4) {
            shot = true;
            pull->repaint();
            shoot(out + QStringLiteral("/window-pull.png"),
                  pull->frameGeometry().adjusted(-1, -1, 1, 1));
        }
    });
    waitFor([&]() { return pull->pull()->isFinished(); }, 120000);
    settle(500);
    pull->close();

    // The doctor on an engine without the NVIDIA Container Toolkit, picked as another engine.
    const Result<Endpoint> noHook = EndpointResolver::fromUrl(args.at(3), QStringLiteral("--host"));
    window.switchEngine(noHook.value());
    waitFor([&]() { return window.engineKnown() && !window.engineError().isError(); }, 30000);
    DoctorDialog *doctor = window.showDoctor();
    doctor->move(330, 150);
    waitFor([&]() { return doctor->doctor()->isFinished(); }, 60000);
    settle(800);
    shoot(out + QStringLiteral("/window-doctor.png"),
          doctor->frameGeometry().adjusted(-1, -1, 1, 1));
    return shot ? 0 : 3;
}
