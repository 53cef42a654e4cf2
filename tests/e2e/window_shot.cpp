// Renders the window after a launch to a PNG, on the offscreen platform: the GPU panel with the
// host's GPUs and live figures, and a log tab with the container's output. Used by gpu-host.sh
// on a GPU host and for the README's screenshots.
//   window_shot OUT.png IMAGE [COMMAND...]   launch, then render (engine from DOCKER_HOST)
//   window_shot --watch OUT.png              render the GPU panel's live figures, no launch
// Options before OUT.png: --driver cdi launches through CDI devices; --expect TEXT (with --watch)
// waits up to 30 s for TEXT in the GPU panel's Processes column, e.g. the name of a container.
#include "gpus/GpuPanel.h"
#include "launch/CapabilityBox.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include "gpu/GpuMonitor.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QLabel>
#include <QPixmap>
#include <QTreeWidget>

#include <cstdio>

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

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gpudeck-window-shot"));
    QStringList args = QApplication::arguments();
    bool watch = false;
    QString driver;
    QString expect;
    while (args.size() > 1 && args.at(1).startsWith(QLatin1String("--"))) {
        const QString option = args.takeAt(1);
        if (option == QLatin1String("--watch"))
            watch = true;
        else if (option == QLatin1String("--driver") && args.size() > 1)
            driver = args.takeAt(1);
        else if (option == QLatin1String("--expect") && args.size() > 1)
            expect = args.takeAt(1);
        else
            args.clear();
    }
    if (args.size() < (watch ? 2 : 3)) {
        std::fprintf(stderr, "usage: window_shot [--driver cdi] OUT.png IMAGE [COMMAND...] | "
                             "window_shot --watch [--expect TEXT] OUT.png\n");
        return 2;
    }
    MainWindow window;
    window.resize(1500, 940);
    window.show();
    if (!waitFor([&]() { return window.engineKnown(); }, 30000) || window.engineError().isError()) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(window.engineError().message()));
        return 1;
    }
    auto *tree = window.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    const bool haveGpus = waitFor([&]() { return tree && tree->topLevelItemCount() > 0; }, 15000);

    if (watch) {
        // Three refreshes of the live figures, then the picture.
        int updates = 0;
        QObject::connect(window.gpuMonitor(), &GpuMonitor::updated, &window,
                         [&updates]() { ++updates; });
        waitFor([&]() { return updates >= 3; }, 10000);
        bool found = true;
        if (!expect.isEmpty()) {
            found = waitFor(
                [&]() {
                    for (int i = 0; tree && i < tree->topLevelItemCount(); ++i) {
                        if (tree->topLevelItem(i)->text(GpuPanel::ProcessColumn).contains(expect))
                            return true;
                    }
                    return false;
                },
                30000);
        }
        if (!window.grab().save(args.at(1)))
            return 1;
        std::printf("window written to %s (GPUs listed: %s", qPrintable(args.at(1)),
                    haveGpus ? "yes" : "no");
        if (!expect.isEmpty())
            std::printf(", \"%s\" in the Processes column: %s", qPrintable(expect),
                        found ? "yes" : "no");
        std::printf(")\n");
        for (int i = 0; tree && i < tree->topLevelItemCount(); ++i)
            std::printf("GPU %d: %s\n", i,
                        qPrintable(tree->topLevelItem(i)->text(GpuPanel::ProcessColumn)));
        return haveGpus && found ? 0 : 1;
    }

    LaunchSpec spec;
    spec.image = args.at(2);
    spec.command = args.size() > 3 ? args.mid(3)
                                   : QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                                                 QStringLiteral("nvidia-smi && nvidia-smi -L")};
    spec.gpus = haveGpus ? GpuSelection::ofDevices({QStringLiteral("0")}) : GpuSelection::none();
    spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    spec.deviceDriver = driver;
    spec.autoRemove = true;
    spec.networkMode = QStringLiteral("none");
    window.applySpec(spec);
    window.launch();

    const bool exited = waitFor(
        [&]() {
            const QList<LogPage *> pages = window.findChildren<LogPage *>();
            for (LogPage *page : pages) {
                auto *status = page->findChild<QLabel *>(QStringLiteral("statusLabel"));
                if (status && status->text().contains(QLatin1String("xited")))
                    return true;
            }
            return false;
        },
        120000);
    // Two more refreshes of the live figures, so the panel shows current numbers.
    int updates = 0;
    QObject::connect(window.gpuMonitor(), &GpuMonitor::updated, &window,
                     [&updates]() { ++updates; });
    waitFor([&]() { return updates >= 2; }, 5000);
    waitFor([]() { return false; }, 300); // let the last batched log append paint

    if (!window.grab().save(args.at(1))) {
        std::fprintf(stderr, "could not write %s\n", qPrintable(args.at(1)));
        return 1;
    }
    std::printf("window written to %s (GPUs listed: %s, container exited: %s)\n",
                qPrintable(args.at(1)), haveGpus ? "yes" : "no", exited ? "yes" : "no");
    return exited ? 0 : 1;
}
