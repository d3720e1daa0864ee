"""Program names of the bundled corpus as the normalized text writes them, shared by the facts tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "mext_r4_international_sti.txt"
OTHER = Path(__file__).resolve().parent / "data" / "other_budget.txt"
PROSE = Path(__file__).resolve().parent / "data" / "prose_programs.md"

SICORP = "戦略的国際共同研究プログラム(SICORP)"
SATREPS = "地球規模課題対応国際科学技術協力プログラム(SATREPS)"
WPI = "世界トップレベル研究拠点プログラム(WPI)"
OVERSEAS = "海外特別研究員事業"
INVITE = "外国人研究者招へい事業"
CHALLENGE = "若手研究者海外挑戦プログラム"
YOUTH = "国際青少年サイエンス交流事業"
GLOBAL = "グローバルに活躍する若手研究者の育成等"
SECTION = "科学技術イノベーションの戦略的国際展開"
LEADING = "科学研究費助成事業「国際先導研究」"
MOBILITY = "国際頭脳循環に参入する若手研究者の新たな流動モードの促進"
