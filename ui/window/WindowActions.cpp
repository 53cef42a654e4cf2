#include "window/WindowActions.h"

#include "log/LogView.h"
#include "presets/PresetBar.h"
#include "widgets/Icons.h"

#include <QAction>
#include <QMainWindow>
#include <QMenuBar>
#include <QToolBar>
#include <QToolButton>

WindowActions::WindowActions(QMainWindow *window, LogView *logs, PresetBar *presets)
    : QObject(window)
{
    m_launch = new QAction(Icons::get(QStringLiteral("launch")), tr("&Launch"), window);
    m_launch->setObjectName(QStringLiteral("launchAction"));
    m_launch->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_launch->setToolTip(tr("Launch the container (Ctrl+Return)"));

    m_stop = new QAction(Icons::get(QStringLiteral("stop")), tr("&Stop"), window);
    m_stop->setObjectName(QStringLiteral("stopAction"));
    m_stop->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stop->setToolTip(tr("Stop the launch of the log in front (Esc)"));

    m_refresh = new QAction(Icons::get(QStringLiteral("refresh")), tr("&Refresh"), window);
    m_refresh->setObjectName(QStringLiteral("refreshAction"));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_refresh->setToolTip(tr("Ask the engine again for its state and images (F5)"));

    auto *find = new QAction(Icons::get(QStringLiteral("find")), tr("&Find in Log…"), window);
    find->setObjectName(QStringLiteral("findAction"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, logs, &LogView::showFind);

    auto *save = new QAction(Icons::get(QStringLiteral("save")), tr("&Save Log…"), window);
    save->setShortcut(QKeySequence::Save);
    connect(save, &QAction::triggered, logs, &LogView::saveCurrent);

    auto *clear = new QAction(Icons::get(QStringLiteral("clear")), tr("C&lear Log"), window);
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(clear, &QAction::triggered, logs, &LogView::clearCurrent);

    auto *closeTab = new QAction(tr("&Close Log Tab"), window);
    closeTab->setObjectName(QStringLiteral("closeTabAction"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    connect(closeTab, &QAction::triggered, logs, &LogView::closeCurrent);

    m_pull = new QAction(Icons::get(QStringLiteral("go-down")), tr("&Pull Image…"), window);
    m_pull->setObjectName(QStringLiteral("pullAction"));
    m_pull->setIconText(tr("Pull"));
    m_pull->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_pull->setToolTip(tr("Pull an image into the engine (Ctrl+Shift+P)"));

    m_doctor = new QAction(Icons::get(QStringLiteral("gpu")), tr("GPU &Readiness…"), window);
    m_doctor->setObjectName(QStringLiteral("doctorAction"));
    m_doctor->setIconText(tr("Doctor"));
    m_doctor->setToolTip(tr("Can containers on this engine use the GPUs? The checklist with "
                            "the fix for each failing line"));

    auto *quit = new QAction(tr("&Quit"), window);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, window, &QWidget::close);

    QMenu *container = window->menuBar()->addMenu(tr("&Container"));
    container->addAction(m_launch);
    container->addAction(m_stop);
    container->addSeparator();
    container->addAction(m_refresh);
    container->addAction(m_pull);
    container->addAction(m_doctor);
    container->addSeparator();
    container->addAction(quit);
    QMenu *presetMenu = window->menuBar()->addMenu(tr("&Presets"));
    const QList<QAction *> presetActions = presets->presetActions();
    presetMenu->addActions(presetActions.mid(0, 2));
    presetMenu->addSeparator();
    presetMenu->addActions(presetActions.mid(2));
    QMenu *log = window->menuBar()->addMenu(tr("&Log"));
    log->addAction(find);
    log->addAction(save);
    log->addAction(clear);
    log->addAction(closeTab);

    m_toolBar = window->addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_launch);
    m_toolBar->addAction(m_stop);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_refresh);
    m_toolBar->addAction(m_pull);
    m_toolBar->addAction(m_doctor);
    m_toolBar->addSeparator();
    m_toolBar->addWidget(presets);
    presetActions.at(0)->setIconText(tr("Save"));
    presetActions.at(1)->setIconText(tr("Save As…"));
    m_toolBar->addAction(presetActions.at(0));
    m_toolBar->addAction(presetActions.at(1));
    auto *more = new QToolButton(window);
    more->setObjectName(QStringLiteral("presetMore"));
    more->setText(tr("More"));
    more->setToolTip(tr("Rename, delete, import or export presets"));
    more->setMenu(presets->moreMenu());
    more->setPopupMode(QToolButton::InstantPopup);
    more->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->addWidget(more);
}
