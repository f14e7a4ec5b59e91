/** Typed words for "Back", in both languages. */
export const BACK_KEYWORDS = ['back', 'go back', 'previous', '戻る', 'もどる', '前へ', 'ひとつ前', '一つ前'];
