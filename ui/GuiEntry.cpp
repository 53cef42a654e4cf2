#include "GuiEntry.h"

#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

int runGui(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("gpudeck"));
    QApplication::setApplicationName(QStringLiteral("gpudeck"));
    QApplication::setApplicationDisplayName(QStringLiteral("GPU Deck"));
    QApplication::setApplicationVersion(QStringLiteral(GPUDECK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("GuiEntry", "Point-and-click GPU containers on a Docker engine."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(
        {QStringLiteral("H"), QStringLiteral("host")},
        QApplication::translate("GuiEntry", "The engine to use, e.g. unix:///var/run/docker.sock "
                                            "(default: DOCKER_HOST, the docker context, the "
                                            "default socket)."),
        QStringLiteral("URL"));
    parser.addOption(host);
    parser.process(app);

    MainWindow window(parser.value(host));
    window.show();
    return app.exec();
}
